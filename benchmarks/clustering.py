"""Near-duplicate clustering at case size: 100,000 images in a case database clustered from
nothing (`assess.clusters.Clusters.refresh`, reading the PDQ hashes and writing the clusters),
then the time to cluster one more arriving image, on SQLite (or `--db URL`).

The hashes are what a seized collection looks like to PDQ: 10,000 pictures each with 0-14
near-duplicates (re-encodes and crops: 2-24 of the 256 bits flipped), and random hashes for the
rest, all shuffled into arrival order. Printed: items/s, the wall time against the target
(under 60 s), clusters found against the planted ones, and the median and worst time to add one.

    .venv/bin/python benchmarks/clustering.py [--items 100000] [--db URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from clearsight.assess.clusters import Clusters
from clearsight.store.db import open_engine
from clearsight.store.models import ItemHash, MediaItem

SEED = 20261204
PICTURES = 10_000
ADDED = 200


def _hashes(count: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """(count, 32) uint8 PDQ bytes and how many pictures have near-duplicates among them."""
    bases = rng.integers(0, 256, (PICTURES, 32), dtype=np.uint8)
    rows, planted = [], 0
    for base in bases:
        copies = int(rng.integers(0, 15))
        planted += copies > 0
        rows.append(base)
        for _ in range(copies):
            copy = np.unpackbits(base)
            copy[rng.choice(256, int(rng.integers(2, 25)), replace=False)] ^= 1
            rows.append(np.packbits(copy))
        if len(rows) >= count:
            break
    codes = np.vstack(rows[:count] + [rng.integers(0, 256, (max(0, count - len(rows)), 32), dtype=np.uint8)])
    return codes[rng.permutation(len(codes))], planted


def _insert(engine: object, codes: np.ndarray, first_id: int) -> None:
    now = datetime.now(UTC)
    items = [{"id": first_id + n, "version_key": f"bench{first_id + n}", "path": f"/evidence/{first_id + n}.jpg", "parent_id": None, "top_id": None,
              "size": 1000, "mtime_ns": 0, "media_type": "image", "mime": "image/jpeg", "first_seen": now} for n in range(len(codes))]
    hashes = [{"item_id": first_id + n, "signal_type": "pdq", "value": code.tobytes().hex(), "quality": 100} for n, code in enumerate(codes)]
    with engine.begin() as conn:  # type: ignore[attr-defined]
        for lo in range(0, len(items), 20_000):
            conn.execute(insert(MediaItem.__table__), items[lo : lo + 20_000])
            conn.execute(insert(ItemHash.__table__), hashes[lo : lo + 20_000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--db", help="A database URL (default: a new SQLite file)")
    options = parser.parse_args()
    rng = np.random.default_rng(SEED)
    codes, planted = _hashes(options.items + ADDED, rng)
    with tempfile.TemporaryDirectory() as work:
        engine = open_engine(options.db or str(Path(work) / "case.db"))
        _insert(engine, codes[: options.items], 1)
        clusters = Clusters(engine)
        started = time.perf_counter()
        clustered = clusters.refresh()
        seconds = time.perf_counter() - started
        with engine.connect() as conn:
            from sqlalchemy import func, select

            from clearsight.store.clusters import clusters_t
            sizes = [size for (size,) in conn.execute(select(func.count()).select_from(clusters_t).group_by(clusters_t.c.cluster_id))]
        adds = []
        for number in range(ADDED):
            _insert(engine, codes[options.items + number : options.items + number + 1], options.items + 1 + number)
            started = time.perf_counter()
            clusters.refresh()
            adds.append(time.perf_counter() - started)
    print(f"{clustered:,} images clustered in {seconds:.1f} s ({clustered / seconds:,.0f} items/s; target under 60 s: {'met' if seconds < 60 else 'NOT met'})")
    print(f"clusters: {len(sizes):,}, of which {sum(size > 1 for size in sizes):,} with near-duplicates (planted: about {planted:,} pictures with copies)")
    median, worst = statistics.median(adds) * 1000, max(adds) * 1000
    print(f"one arriving image clustered (read, index query, write): median {median:.1f} ms, worst {worst:.1f} ms over {ADDED} "
          f"(target under 50 ms: {'met' if worst < 50 else 'median met' if median < 50 else 'NOT met'})")


if __name__ == "__main__":
    main()
