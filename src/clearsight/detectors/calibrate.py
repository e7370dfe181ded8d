"""Calibrating a detector on the hotline's own confirmed grades.

Published accuracy says little about a hotline's material: detectors collapse on new generators
and after re-encoding. So the detector is run over the case's images whose grade is confirmed
and whose production is known (real, or AI-made), each also as the platforms pass it on: JPEG
re-encodes at quality 95, 75 and 50, halved in size, and cropped to its centre, all in memory.
Only numbers come out: no imagery, no hashes, no paths.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from clearsight.config import Limits
from clearsight.detectors.metrics import OperatingPoint, at_false_positive_rate, auc, calibration_error
from clearsight.detectors.runtime import Detector
from clearsight.errors import ItemError
from clearsight.media.image import stored_rgb

RATES = (0.01, 0.001)
"""The false-positive rates detection is reported at."""


def _jpeg(quality: int) -> Callable[[Image.Image], Image.Image]:
    def encode(image: Image.Image) -> Image.Image:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        buffer.seek(0)
        return Image.open(buffer).convert("RGB")
    return encode


def _halved(image: Image.Image) -> Image.Image:
    return image.resize((max(1, image.width // 2), max(1, image.height // 2)), Image.Resampling.BILINEAR)


def _centre(image: Image.Image) -> Image.Image:
    width, height = image.width * 8 // 10, image.height * 8 // 10
    left, top = (image.width - width) // 2, (image.height - height) // 2
    return image.crop((left, top, left + max(1, width), top + max(1, height)))


VARIANTS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "original": lambda image: image, "jpeg_95": _jpeg(95), "jpeg_75": _jpeg(75), "jpeg_50": _jpeg(50), "half_size": _halved, "centre_crop": _centre,
}


@dataclass
class Samples:
    """Scores by variant, with their labels (1 AI-made, 0 real)."""

    scores: dict[str, list[tuple[float, int]]] = field(default_factory=lambda: {name: [] for name in VARIANTS})
    unscored: int = 0
    """Items that could not be scored (not on disk, undecodable, over the limits, or the model failed)."""
    reasons: dict[str, int] = field(default_factory=dict)


def score_items(detector: Detector, items: Iterable[tuple[str, int]], limits: Limits) -> Samples:
    """Every variant of every (path, label) scored, one batch per item."""
    samples = Samples()
    for path, label in items:
        try:
            image = stored_rgb(path, limits)
            scores = detector.scores([make(image) for make in VARIANTS.values()])
        except (ItemError, ValueError, RuntimeError) as exc:
            why = str(exc) if isinstance(exc, ItemError) else "the model failed"
            samples.unscored += 1
            samples.reasons[why] = samples.reasons.get(why, 0) + 1
            continue
        for name, score in zip(VARIANTS, scores, strict=True):
            samples.scores[name].append((score, label))
    return samples


def _point(point: OperatingPoint | None) -> dict[str, float] | None:
    return None if point is None else {"threshold": point.threshold, "false_positive_rate": point.false_positive_rate, "detection_rate": point.detection_rate}


def _figures(pairs: list[tuple[float, int]], rate: float) -> dict[str, Any]:
    positives = [score for score, label in pairs if label]
    negatives = [score for score, label in pairs if not label]
    return {"ai_samples": len(positives), "real_samples": len(negatives), "auc": auc(positives, negatives),
            **{f"detection_at_{each:g}_fpr": _point(at_false_positive_rate(positives, negatives, each)) for each in RATES},
            "expected_calibration_error": calibration_error([score for score, _ in pairs], [label for _, label in pairs]),
            "chosen": _point(at_false_positive_rate(positives, negatives, rate))}


def results(samples: Samples, rate: float, items: int) -> dict[str, Any]:
    """The calibration's figures: over every variant together, and per variant; the threshold for
    false-positive rate `rate` (`chosen`) is the one the detector's evidence is then judged by."""
    every = [pair for pairs in samples.scores.values() for pair in pairs]
    overall = _figures(every, rate)
    return {"items": items, "unscored": samples.unscored, "unscored_reasons": samples.reasons, "target_false_positive_rate": rate,
            **overall, "variants": {name: _figures(pairs, rate) for name, pairs in samples.scores.items()}}
