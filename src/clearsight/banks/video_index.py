"""The frames of known videos in memory, for matching videos (and stills) against them.

Every frame of quality `min_quality` or more of every known video goes into a `HammingIndex`
(tagged with its bank), so a query looks only at frames near its own, never at every stored
video. A query video's frames are looked up together; the hits are grouped by known video to
give both match percentages and the matched segments (`video_match`). Frames added to the store
later are picked up by `refresh`, as the PDQ index does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from clearsight.banks.index import HammingIndex
from clearsight.banks.video_match import segments
from clearsight.hashing.bits import hex_to_words
from clearsight.store.banks import BankStore


@dataclass(frozen=True)
class VideoHit:
    bank_id: int
    entry_id: int
    distance: int
    """The smallest frame distance."""
    query_percent: float | None
    target_percent: float | None
    segments: list[list[Any]]


class VideoBankIndex:
    def __init__(self, store: BankStore, min_quality: int) -> None:
        self.store = store
        self.min_quality = min_quality
        self.index = HammingIndex()
        self.ids = np.zeros(0, dtype=np.int64)
        self.entries = np.zeros(0, dtype=np.int64)
        self.seconds = np.zeros(0, dtype=np.float64)
        self.frame_counts: Counter[int] = Counter()
        self._last_id = 0

    def __len__(self) -> int:
        return len(self.index)

    def refresh(self) -> None:
        rows = [row for row in self.store.video_frames_after(self._last_id)]
        if not rows:
            return
        self._last_id = rows[-1][0]
        usable = [row for row in rows if row[5] >= self.min_quality]
        if not usable:
            return
        ids = np.array([row[0] for row in usable], dtype=np.int64)
        codes = hex_to_words([row[3] for row in usable])
        tags = np.array([row[1] for row in usable], dtype=np.int32)
        (self.index.add if len(self.index) else self.index.build)(codes, ids, tags)
        self.ids = np.concatenate([self.ids, ids])
        self.entries = np.concatenate([self.entries, np.array([row[2] for row in usable], dtype=np.int64)])
        self.seconds = np.concatenate([self.seconds, np.array([row[4] for row in usable], dtype=np.float64)])
        self.frame_counts.update(row[2] for row in usable)

    def _rows(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
        return np.searchsorted(self.ids, ids)

    def match_video(self, frames: Sequence[Sequence[Any]], radii: dict[int, int]) -> list[VideoHit]:
        """Known videos sharing frames with a query video (rows `[frame, quality, pdq, seconds]`);
        `radii` gives the frame distance of each bank consulted."""
        usable = [frame for frame in frames if int(frame[1]) >= self.min_quality]
        if not usable or not len(self.index):
            return []
        query_times = np.array([float(frame[3]) for frame in usable], dtype=np.float64)
        results = self.index.query(hex_to_words([str(frame[2]) for frame in usable]), max(radii.values(), default=0))
        # per known video: for each query frame, the closest of its frames (distance, seconds), and every frame hit
        best: dict[tuple[int, int], dict[int, tuple[int, float]]] = {}
        touched: dict[tuple[int, int], set[int]] = {}
        for query_index, hits in enumerate(results):
            rows = self._rows(hits.ids)
            for row, bank_id, distance in zip(rows.tolist(), hits.tags.tolist(), hits.distances.tolist(), strict=True):
                if distance > radii.get(bank_id, -1):
                    continue
                key = (bank_id, int(self.entries[row]))
                touched.setdefault(key, set()).add(row)
                known = best.setdefault(key, {})
                if query_index not in known or distance < known[query_index][0]:
                    known[query_index] = (distance, float(self.seconds[row]))
        out = []
        for key, per_query in best.items():
            matched = np.zeros(len(usable), dtype=bool)
            matched[list(per_query)] = True
            target_times = np.zeros(len(usable), dtype=np.float64)
            for query_index, (_, seconds) in per_query.items():
                target_times[query_index] = seconds
            out.append(VideoHit(
                key[0], key[1], min(distance for distance, _ in per_query.values()),
                100.0 * matched.mean(), 100.0 * len(touched[key]) / max(self.frame_counts[key[1]], 1),
                segments(query_times, matched, target_times),
            ))
        return out

    def match_still(self, pdqs: Sequence[str], radii: dict[int, int]) -> list[VideoHit]:
        """Known videos with a frame near a still image (any of its PDQs: original and transforms)."""
        if not pdqs or not len(self.index):
            return []
        found: dict[tuple[int, int], list[tuple[int, float]]] = {}
        for hits in self.index.query(hex_to_words(list(pdqs)), max(radii.values(), default=0)):
            for row, bank_id, distance in zip(self._rows(hits.ids).tolist(), hits.tags.tolist(), hits.distances.tolist(), strict=True):
                if distance <= radii.get(bank_id, -1):
                    found.setdefault((bank_id, int(self.entries[row])), []).append((distance, float(self.seconds[row])))
        return [
            VideoHit(bank_id, entry_id, min(d for d, _ in hits), None, None, [[None, None, min(s for _, s in hits), max(s for _, s in hits)]])
            for (bank_id, entry_id), hits in found.items()
        ]
