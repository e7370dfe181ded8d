"""What the generator readers share: where tools put their text, and tolerant JSON and numbers."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from clearsight.provenance import stealth
from clearsight.provenance.context import ImageContext

PARAMETER_LABELS = ("text:parameters", "exif:UserComment")
"""Where AUTOMATIC1111, Forge, Fooocus and SwarmUI write their parameters (PNG text, EXIF comment)."""


def parameter_texts(context: ImageContext) -> Iterator[tuple[str, str]]:
    """(where, text) for every parameters text in the file, stealth pixel payloads included."""
    for label in PARAMETER_LABELS:
        text = context.texts.get(label)
        if text:
            yield label, text
    for payload in stealth.payloads(context):
        if payload.text:
            yield f"stealth:{payload.signature}", payload.text


def json_object(text: str) -> dict[str, Any] | None:
    """The text as a JSON object, or None if it is not one (callers decide whether that is an error)."""
    stripped = text.strip()
    if not stripped.startswith("{"):
        return None
    try:
        value = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def number(value: Any) -> float | None:
    """A finite float from a number or numeric string, else None."""
    if isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def text_or_none(value: Any) -> str | None:
    """A non-empty string, else None (metadata fields are often null, numbers or nested)."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def model_name(path: str) -> str:
    """A model's name as tools write it, without folders: `sdxl/juggernaut.safetensors` -> `juggernaut.safetensors`."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]
