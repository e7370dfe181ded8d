"""A detector's model card: what the model expects and what its output means, checked before use.

A detector is only as good as the agreement between its card and its weights: an image resized
the wrong way or normalised with the wrong means gives scores that look plausible and mean
nothing. So the card is strict (unknown keys are refused, every number is checked) and is
compared with the model's own input and output shapes when it is added (`detectors.runtime`).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Any

from clearsight.errors import ClearsightError

RESIZES = ("stretch", "shorter_side")
"""`stretch` resizes to the input size; `shorter_side` scales the shorter side to it, keeping the aspect, then crops."""
CROPS = ("center", "none")
LAYOUTS = ("NCHW", "NHWC")
OUTPUTS = ("probability_ai", "logit_ai")
"""What the chosen output value is: a probability that the image is AI-made, or its logit."""
_KEYS = {"name", "version", "licence", "description", "source", "input", "resize", "crop", "normalisation", "output", "threshold", "calibration"}
MAX_SIDE = 4096


@dataclass(frozen=True)
class ModelCard:
    """The parsed card (see `parse_card` for the JSON shape)."""

    name: str
    version: str
    licence: str
    width: int
    height: int
    layout: str = "NCHW"
    resize: str = "stretch"
    crop: str = "none"
    scale: float = 255.0
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    output: str = "probability_ai"
    output_index: int = 0
    threshold: float = 0.5
    calibration: str = ""
    """Where the threshold came from (a dataset, or `clearsight detectors calibrate` of a case)."""
    description: str = ""
    source: str = ""

    def record(self) -> dict[str, Any]:
        """The card as stored and printed (JSON)."""
        return asdict(self)


def _text(card: dict[str, Any], key: str, required: bool = True) -> str:
    value = card.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ClearsightError(f"the model card's {key!r} must be {'a non-empty' if required else 'a'} string")
    return value.strip()


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        raise ClearsightError(f"the model card's {name} must be a number from {low:g} to {high:g}, not {str(value)[:40]!r}")
    return float(value)


def _side(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIDE:
        raise ClearsightError(f"the model card's input {name} must be a whole number of pixels from 1 to {MAX_SIDE}, not {str(value)[:40]!r}")
    return value


def _triple(value: Any, name: str, low: float, high: float) -> tuple[float, float, float]:
    if not isinstance(value, list) or len(value) != 3:
        raise ClearsightError(f"the model card's normalisation {name} must be a list of three numbers (R, G, B)")
    first, second, third = (_number(each, f"normalisation {name}", low, high) for each in value)
    return first, second, third


def _choice(value: Any, name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ClearsightError(f"the model card's {name} must be one of {', '.join(allowed)}, not {str(value)[:40]!r}")
    return str(value)


def parse_card(raw: bytes | str) -> ModelCard:
    """A model card from its JSON:

        {"name", "version", "licence", "input": {"width", "height", "layout": "NCHW"|"NHWC"},
         "resize": "stretch"|"shorter_side", "crop": "center"|"none",
         "normalisation": {"scale": 255, "mean": [r, g, b], "std": [r, g, b]},
         "output": {"meaning": "probability_ai"|"logit_ai", "index": 0},
         "threshold": 0.5, "calibration": "...", "description": "...", "source": "..."}

    Pixels are divided by `scale`, then have `mean` taken off and are divided by `std`."""
    try:
        card = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ClearsightError(f"the model card is not JSON: {exc}") from None
    if not isinstance(card, dict):
        raise ClearsightError("the model card must be a JSON object")
    if unknown := sorted(set(card) - _KEYS):
        raise ClearsightError(f"the model card has unknown keys: {', '.join(unknown)[:200]} (known: {', '.join(sorted(_KEYS))})")
    shape, normalisation, output = card.get("input"), card.get("normalisation", {}), card.get("output", {})
    if not isinstance(shape, dict):
        raise ClearsightError("the model card needs an 'input' object with the model's width and height")
    if not isinstance(normalisation, dict) or not isinstance(output, dict):
        raise ClearsightError("the model card's 'normalisation' and 'output' must be objects")
    return ModelCard(
        name=_text(card, "name"), version=_text(card, "version"), licence=_text(card, "licence"),
        width=_side(shape.get("width"), "width"), height=_side(shape.get("height"), "height"),
        layout=_choice(shape.get("layout", "NCHW"), "input layout", LAYOUTS),
        resize=_choice(card.get("resize", "stretch"), "resize", RESIZES), crop=_choice(card.get("crop", "none"), "crop", CROPS),
        scale=_number(normalisation.get("scale", 255), "normalisation scale", 1e-6, 1e6),
        mean=_triple(normalisation.get("mean", [0, 0, 0]), "mean", -1e6, 1e6),
        std=_triple(normalisation.get("std", [1, 1, 1]), "std", 1e-9, 1e6),
        output=_choice(output.get("meaning", "probability_ai"), "output meaning", OUTPUTS),
        output_index=int(_number(output.get("index", 0), "output index", 0, 1e6)),
        threshold=_number(card.get("threshold", 0.5), "threshold", 0.0, 1.0),
        calibration=_text(card, "calibration", required=False), description=_text(card, "description", required=False),
        source=_text(card, "source", required=False),
    )


def card_from_record(record: dict[str, Any]) -> ModelCard:
    """A stored card (`ModelCard.record`) back as a card."""
    return ModelCard(**{**record, "mean": tuple(record["mean"]), "std": tuple(record["std"])})
