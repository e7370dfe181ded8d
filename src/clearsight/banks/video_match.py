"""Comparing two videos by their vPDQ frame hashes, as Meta's vPDQ does, with matched segments.

Frames below the quality threshold are left out on both sides (flat frames match anything).
The query-match percentage is the share of the query's frames within `distance` bits of some
frame of the target; the target-match percentage the converse. Segments are runs of consecutive
matched query frames, each given as `[query start, query end, target start, target end]` in
seconds, the target times being those of the closest target frame of each query frame: where in
both videos the shared footage is, e.g. a clip cut from a longer video.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from clearsight.hashing.bits import hex_to_words

FRAME_DISTANCE = 31
FRAME_QUALITY = 50
MATCH_PERCENT = 80.0
CHUNK = 1024


@dataclass
class VideoComparison:
    query_percent: float
    target_percent: float
    segments: list[list[float]] = field(default_factory=list)

    def is_match(self, percent: float = MATCH_PERCENT) -> bool:
        return self.query_percent >= percent


def _usable(frames: Sequence[Sequence[Any]], quality: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.float64]]:
    kept = [frame for frame in frames if int(frame[1]) >= quality]
    return hex_to_words([str(frame[2]) for frame in kept]), np.array([float(frame[3]) for frame in kept], dtype=np.float64)


def distance_matrix(query: npt.NDArray[np.uint64], target: npt.NDArray[np.uint64]) -> npt.NDArray[np.int32]:
    """Hamming distances between every query and target hash (rows of four 64-bit words)."""
    out = np.empty((len(query), len(target)), dtype=np.int32)
    for start in range(0, len(query), CHUNK):
        block = query[start : start + CHUNK, None, :] ^ target[None, :, :]
        out[start : start + CHUNK] = np.bitwise_count(block).sum(axis=2)
    return out


def compare(query: Sequence[Sequence[Any]], target: Sequence[Sequence[Any]], distance: int = FRAME_DISTANCE, quality: int = FRAME_QUALITY) -> VideoComparison:
    """Compare two videos given as `[frame, quality, pdq hex, seconds]` rows."""
    query_codes, query_times = _usable(query, quality)
    target_codes, target_times = _usable(target, quality)
    if not len(query_codes) or not len(target_codes):
        return VideoComparison(0.0, 0.0)
    distances = distance_matrix(query_codes, target_codes)
    close = distances <= distance
    matched_query: npt.NDArray[np.bool_] = np.asarray(close.any(axis=1), dtype=bool)
    comparison = VideoComparison(100.0 * matched_query.mean(), 100.0 * close.any(axis=0).mean())
    nearest = target_times[np.argmin(distances, axis=1)]
    comparison.segments = segments(query_times, matched_query, nearest)
    return comparison


def segments(query_times: npt.NDArray[np.float64], matched: npt.NDArray[np.bool_], target_times: npt.NDArray[np.float64] | None) -> list[list[Any]]:
    """Runs of consecutive matched query frames as `[query start, query end, target start, target
    end]`; `target_times[i]` is the time of the target frame query frame i matched (None when the
    target is a still image: its times are then null)."""
    out: list[list[Any]] = []
    run: list[int] = []
    for index in [*np.flatnonzero(matched).tolist(), -1]:
        if run and index != run[-1] + 1:
            start, end = float(query_times[run[0]]), float(query_times[run[-1]])
            if target_times is None:
                out.append([start, end, None, None])
            else:
                times = target_times[run]
                out.append([start, end, float(times.min()), float(times.max())])
            run = []
        run.append(index)
    return out
