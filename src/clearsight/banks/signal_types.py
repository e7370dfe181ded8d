"""The signal types a bank entry may be known by through the HMA routes, and how each compares.

HMA (python-threatexchange) names two: `pdq` for photos and `video_md5` (the MD5 of a video
file) for videos; Clearsight adds the file digests md5, sha1 and sha256, which HMA clients get
only when they ask for them with `types=`. A new signal type is one entry in SIGNAL_TYPES.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clearsight.banks.records import normalize_hash
from clearsight.hashing.base import hamming_distance
from clearsight.hashing.bits import PDQ_MATCH_DISTANCE


@dataclass(frozen=True)
class SignalType:
    name: str
    hex_rule: str
    """The hash type whose hex form it has (`banks.records.normalize_hash`)."""
    by_distance: bool = False
    """Compared by Hamming distance (PDQ) rather than equality."""

    def normalize(self, value: str) -> str:
        """The canonical hex of `value`; ValueError saying what is wrong."""
        return normalize_hash(self.hex_rule, value)

    def compare(self, left: str, right: str) -> list[Any]:
        """HMA's comparison result: `[matches, {"distance": d}]`, the distance only where there is one."""
        left, right = self.normalize(left), self.normalize(right)
        if not self.by_distance:
            return [left == right, {}]
        distance = hamming_distance(left, right)
        return [distance <= PDQ_MATCH_DISTANCE, {"distance": distance}]


SIGNAL_TYPES = {signal.name: signal for signal in (
    SignalType("pdq", "pdq", by_distance=True),
    SignalType("video_md5", "md5"),
    SignalType("md5", "md5"),
    SignalType("sha1", "sha1"),
    SignalType("sha256", "sha256"),
)}
CONTENT_TYPES = {"photo": ("pdq",), "video": ("video_md5",)}
"""HMA's content types and the signal types each is hashed into by default."""
EXTRA_TYPES = ("md5", "sha1", "sha256")
"""Hashed for any content type, but only when asked for (`types=`): HMA clients expect none."""
SAME_DIGEST = {"md5": "video_md5", "video_md5": "md5"}
"""Signal types holding the same digest of a file: an MD5 matches a video_md5 and the reverse."""
