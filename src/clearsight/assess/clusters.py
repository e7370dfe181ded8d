"""Near-duplicate clusters, so a picture is revealed and graded once for all its crops and
re-encodes: each image whose PDQ is within the cluster distance of a cluster's representative
joins that cluster (the nearest); otherwise it becomes the representative of a new one.

Leader clustering, built incrementally as items arrive (in id order, so the same case always
gives the same clusters): the representatives are held in the PDQ index the banks use
(`banks.index.HammingIndex`), so an arriving item costs one radius query, and a batch's new
representatives are compared with each other directly before they join the index.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from clearsight.banks.index import HammingIndex
from clearsight.hashing.bits import PDQ_MATCH_DISTANCE, hamming_distances, hex_to_words
from clearsight.store.app_settings import AppSettings
from clearsight.store.clusters import ClusterStore

TABLES_FROM = 4_096
"""Representatives from which the index uses its tables: arrivals are queried a batch at a time
against a growing index, where brute force over tens of thousands costs more than the probes."""
DISTANCE_SETTING = "cluster_distance"
DEFAULT_DISTANCE = PDQ_MATCH_DISTANCE
"""HMA's PDQ match distance: what is a match for the banks is a near-duplicate here."""


def assign(index: HammingIndex, batch: Sequence[tuple[int, str]], distance: int) -> list[tuple[int, int, int]]:
    """(item id, cluster id, distance) for each (item id, PDQ hex) of `batch`, in id order; the
    batch's new representatives are added to `index`."""
    ids = np.asarray([item_id for item_id, _ in batch], dtype=np.int64)
    codes = hex_to_words([value for _, value in batch])
    hits = index.query(codes, distance)
    leaders: list[int] = []
    rows = []
    for row, (item_id, found) in enumerate(zip(ids.tolist(), hits, strict=True)):
        if len(found.ids):
            nearest = int(np.argmin(found.distances))
            rows.append((item_id, int(found.ids[nearest]), int(found.distances[nearest])))
            continue
        if leaders:
            gaps = hamming_distances(codes[leaders], codes[row][None, :])
            nearest = int(np.argmin(gaps))
            if gaps[nearest] <= distance:
                rows.append((item_id, int(ids[leaders[nearest]]), int(gaps[nearest])))
                continue
        leaders.append(row)
        rows.append((item_id, item_id, 0))
    if leaders:
        index.add(codes[leaders], ids[leaders], np.zeros(len(leaders), dtype=np.int32))
    return rows


class Clusters:
    """The case's clusters, kept current by `refresh` (the queue calls it, as it does known items)."""

    def __init__(self, engine: Engine) -> None:
        self.store = ClusterStore(engine)
        self.settings = AppSettings(engine)
        self._index: HammingIndex | None = None
        self._after = 0
        self._lock = threading.Lock()

    def distance(self) -> int:
        return int(self.settings.get(DISTANCE_SETTING, DEFAULT_DISTANCE))

    def _loaded(self) -> HammingIndex:
        if self._index is None:
            ids, values = self.store.representatives()
            self._index = HammingIndex(tables_from=TABLES_FROM, merge_at=TABLES_FROM)
            self._index.build(hex_to_words(values), np.asarray(ids, dtype=np.int64), np.zeros(len(ids), dtype=np.int32))
        return self._index

    def refresh(self, deadline: float | None = None) -> int:
        """Cluster every image that arrived since the last refresh, a batch at a time, until done
        or past `deadline` (a `time.monotonic()` value; one batch is always done); how many were clustered."""
        with self._lock:
            distance, clustered = self.distance(), 0
            while (clustered == 0 or deadline is None or time.monotonic() < deadline) and (batch := self.store.unclustered(self._after)):
                index = self._loaded()
                try:
                    self.store.save(assign(index, batch, distance))
                except IntegrityError:  # another process clustered some of these first: start again from what it stored
                    self._index, self._after = None, 0
                    continue
                self._after, clustered = batch[-1][0], clustered + len(batch)
            return clustered

    def refresh_for(self, seconds: float) -> None:
        """Refresh here for up to `seconds` and leave the rest to a background thread (a new case
        of a million images takes minutes; until then its unclustered items are listed alone)."""
        if self._lock.locked():
            return
        self.refresh(time.monotonic() + seconds)
        if self.store.unclustered(self._after, limit=1):
            threading.Thread(target=self.refresh, name="clearsight-clusters", daemon=True).start()
