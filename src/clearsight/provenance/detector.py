"""Detector scores as provenance evidence: always `indicative`, and able to make the verdict `ai`
only for a detector an admin trusted and whose calibration on this case met the admin's
false-positive ceiling (`detectors.manage.gate`). Otherwise the score is recorded and shown, and
the verdict stays what the file's own signals say: a score is not a finding.

The model is loaded once per worker process and reused for every image; the pixels are the ones
the other readers share (`ImageContext.pixels`).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from clearsight.config import DetectorRun
from clearsight.detectors.card import card_from_record
from clearsight.detectors.runtime import Detector, load
from clearsight.errors import ClearsightError, reason
from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, Strength, unreadable

SOURCE = "detector"
_loaded: dict[str, Detector] = {}
"""This process's sessions, by model SHA-256."""


def _detector(run: DetectorRun) -> Detector:
    if run.sha256 not in _loaded:
        _loaded[run.sha256] = load(Path(run.model_path), card_from_record(run.card))
    return _loaded[run.sha256]


def _evidence(run: DetectorRun, score: float) -> Evidence:
    return Evidence(source=SOURCE, strength=Strength.INDICATIVE, ai_generated=True if run.verdicts and score >= run.threshold else None,
                    claims={"detector": run.name, "model_card": run.card["name"], "version": run.card["version"], "score": round(score, 6), "threshold": run.threshold,
                            "false_positive_rate": run.false_positive_rate, "decides_verdict": run.verdicts})


class DetectorReader:
    """Scores the image with every enabled detector; a detector that fails gives unreadable
    evidence for this item alone."""

    name = SOURCE

    def read(self, context: ImageContext) -> list[Evidence]:
        runs = context.settings.detectors
        if not runs or context.pixels is None:
            return []
        image = Image.fromarray(context.pixels[..., :3])
        found = []
        for run in runs:
            try:
                [score] = _detector(run).scores([image])
            except (ClearsightError, ValueError, RuntimeError, OSError) as exc:
                found.append(unreadable(SOURCE, f"detector {run.name} failed: {reason(exc)}"))
                continue
            found.append(_evidence(run, score))
        return found
