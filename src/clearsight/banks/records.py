"""What a hash list holds, independent of its file format: entries with hashes and labels.

One entry is one known item, which partners often describe by several hashes at once (a VICS
Media record has an MD5, a SHA-1 and a PDQ); keeping them together is what lets an export give
back the same grouping that was imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

HEX_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}
"""Hex length of each bankable signal; the hash types a bank may hold."""
VIDEO_SIGNAL = "vpdq"
"""The signal of a known video's frame-list digest (its identity in `bank_hashes`; its frames
are in `bank_video_frames`). Not one of `HEX_LENGTHS`: no list format but vPDQ carries it."""

_HEX = re.compile(r"[0-9a-f]+")


def normalize_hash(signal: str, value: str) -> str:
    """Lower-case hex of `value` as a `signal` hash; ValueError saying what is wrong otherwise."""
    if signal not in HEX_LENGTHS:
        raise ValueError(f"unknown hash type {signal!r} (known: {', '.join(HEX_LENGTHS)})")
    cleaned = value.strip().lower()
    cleaned = cleaned.removeprefix("0x")
    if len(cleaned) != HEX_LENGTHS[signal] or not _HEX.fullmatch(cleaned):
        raise ValueError(f"{signal} must be {HEX_LENGTHS[signal]} hex digits, got {value.strip()[:80]!r}")
    return cleaned


@dataclass
class BankRecord:
    """One entry of a hash list: its hashes by signal type and its labels."""

    hashes: dict[str, str]
    classification: str | None = None
    ref: str | None = None
    quality: int | None = None
    """PDQ quality when the list gives it."""
    attributes: dict[str, Any] = field(default_factory=dict)
    """Fields of the source format kept for a faithful export (series, tags, file names...)."""
    frames: list[list[Any]] = field(default_factory=list)
    """For a known video: its vPDQ frames as `[frame, quality, pdq hex, seconds]`. Its `hashes`
    then hold `vpdq`, a digest of the frames that identifies the video within the bank."""

    @property
    def is_video(self) -> bool:
        return bool(self.frames)


@dataclass(frozen=True)
class RowError:
    """A record that could not be imported, and why; the rest of the file still is."""

    row: int
    """1-based line (text formats) or record number (JSON, XML)."""
    message: str


def optional_text(value: Any) -> str | None:
    """A stripped string, or None for missing and blank values."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def whole_number(text: str) -> int:
    """An integer from "3", "3.0" or 3; ValueError (never OverflowError) for anything else."""
    number = float(text)
    if not number.is_integer():
        raise ValueError(f"not a whole number: {text[:40]!r}")
    return int(number)


def parse_quality(value: Any) -> int | None:
    """A PDQ quality 0-100 from text or number; ValueError when it is something else."""
    text = optional_text(value)
    if text is None:
        return None
    quality = whole_number(text)
    if not 0 <= quality <= 100:
        raise ValueError(f"quality must be 0-100, got {text}")
    return quality
