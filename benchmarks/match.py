"""PDQ matching at bank scale: Clearsight's `HammingIndex` against python-threatexchange's
`PDQIndex` (the faiss multi-hash index inside Meta's HMA), on the same data in one run.

The bank is N random PDQ hashes; each query is a bank hash with 0 to 31 random bits flipped,
so it has a known neighbour within distance 31 (recall counts how many of those are found).
Each index runs in its own child process so its peak memory (ru_maxrss) is its own. Printed:
build time, peak memory (whole process, and the part added by building the index), queries/s
one at a time and batched, recall at distance 31, and how long 1,000 added hashes take to be
matchable.

    python benchmarks/match.py [--size 10000000] [--queries 2000]

Needs the `bench` extra (threatexchange, faiss-cpu) for the peer.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

SEED = 20261125
BATCH = 1_000
ADDED = 1_000


def random_hashes(count: int, seed: int = SEED) -> list[str]:
    """`count` random 64-hex-digit PDQ hashes, the same in every process (made in blocks, so the
    only large allocation is the list itself, as it would be for a list read from a file)."""
    rng = np.random.default_rng(seed)
    hashes: list[str] = []
    for start in range(0, count, 1_000_000):
        text = rng.bytes(32 * min(1_000_000, count - start)).hex()
        hashes.extend(text[offset : offset + 64] for offset in range(0, len(text), 64))
    return hashes


def planted_queries(bank: list[str], count: int) -> tuple[list[str], list[int]]:
    """Queries within 0-31 bits of known bank rows, and those rows."""
    rng = np.random.default_rng(SEED + 1)
    rows = rng.integers(0, len(bank), count).tolist()
    queries = []
    for row in rows:
        value = int(bank[row], 16)
        for bit in rng.choice(256, size=int(rng.integers(0, 32)), replace=False).tolist():
            value ^= 1 << bit
        queries.append(f"{value:064x}")
    return queries, rows


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Engine:
    """What the benchmark needs of an index: build, query one, query many, add."""

    build: Callable[[list[str]], None]
    query: Callable[[str], set[int]]
    query_many: Callable[[list[str]], list[set[int]]]
    add: Callable[[list[str], int], None]


def clearsight_engine() -> Engine:
    from clearsight.banks.index import HammingIndex
    from clearsight.hashing.bits import hex_to_words

    index = HammingIndex()
    engine = Engine()

    def build(bank: list[str]) -> None:
        codes = hex_to_words(bank)
        index.build(codes, np.arange(len(bank)), np.zeros(len(bank), dtype=np.int32))

    def query_many(queries: list[str]) -> list[set[int]]:
        return [set(hits.ids.tolist()) for hits in index.query(hex_to_words(queries), 31)]

    engine.build = build
    engine.query = lambda value: set(index.query(hex_to_words([value]), 31)[0].ids.tolist())
    engine.query_many = query_many
    engine.add = lambda values, first: index.add(hex_to_words(values), np.arange(first, first + len(values)), np.zeros(len(values), dtype=np.int32))
    return engine


def threatexchange_engine() -> Engine:
    from threatexchange.signal_type.pdq.pdq_index import PDQIndex

    holder: dict[str, Any] = {}
    engine = Engine()

    def build(bank: list[str]) -> None:
        holder["index"] = PDQIndex.build((value, row) for row, value in enumerate(bank))

    def query_many(queries: list[str]) -> list[set[int]]:
        index = holder["index"]
        found = index.index.search_with_distance_in_result(queries, PDQIndex.get_match_threshold())
        return [{index.local_id_to_entry[int(row)][1] for row, _, _ in found[query]} for query in queries]

    engine.build = build
    engine.query = lambda value: {match.metadata for match in holder["index"].query(value)}
    engine.query_many = query_many
    engine.add = lambda values, first: holder["index"].add_all((value, first + offset) for offset, value in enumerate(values))
    return engine


ENGINES = {"clearsight": clearsight_engine, "threatexchange": threatexchange_engine}


def measure(name: str, size: int, query_count: int) -> dict[str, Any]:
    """Run one engine over the shared data; called in a child process."""
    engine = ENGINES[name]()
    bank = random_hashes(size)
    queries, expected = planted_queries(bank, query_count)
    before = rss_mib()
    started = time.perf_counter()
    engine.build(bank)
    build_s = time.perf_counter() - started
    index_mib = rss_mib() - before

    started = time.perf_counter()
    single = [engine.query(query) for query in queries]
    single_qps = len(queries) / (time.perf_counter() - started)
    started = time.perf_counter()
    batched = [found for start in range(0, len(queries), BATCH) for found in engine.query_many(queries[start : start + BATCH])]
    batched_qps = len(queries) / (time.perf_counter() - started)
    recall = sum(row in found for row, found in zip(expected, single, strict=True)) / len(queries)
    batched_recall = sum(row in found for row, found in zip(expected, batched, strict=True)) / len(queries)

    added = random_hashes(ADDED, seed=SEED + 2)
    started = time.perf_counter()
    engine.add(added, size)
    visible = size + ADDED - 1 in engine.query(added[-1])
    add_s = time.perf_counter() - started
    return {"engine": name, "size": size, "build_s": build_s, "peak_mib": peak_mib(), "index_mib": index_mib, "single_qps": single_qps,
            "batched_qps": batched_qps, "recall": recall, "batched_recall": batched_recall, "add_1000_visible_s": add_s if visible else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--engine", choices=sorted(ENGINES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(measure(args.engine, args.size, args.queries)))
        return
    results = {}
    for name in ("clearsight", "threatexchange"):
        child = subprocess.run([sys.executable, __file__, "--engine", name, "--size", str(args.size), "--queries", str(args.queries)],
                               capture_output=True, text=True, check=False)
        if child.returncode != 0:
            print(f"{name}: failed: {child.stderr.strip().splitlines()[-1] if child.stderr.strip() else child.returncode}")
            continue
        results[name] = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"PDQ matching, {args.size:,} random bank hashes, {args.queries:,} planted queries within 31 bits, distance 31")
    header = f"{'engine':<15}{'build s':>9}{'peak MiB':>10}{'index MiB':>11}{'q/s single':>12}{'q/s batch':>11}{'recall':>8}{'add 1000 s':>12}"
    print(header)
    for name, row in results.items():
        add = "-" if row["add_1000_visible_s"] is None else f"{row['add_1000_visible_s']:.3f}"
        print(f"{name:<15}{row['build_s']:>9.1f}{row['peak_mib']:>10,.0f}{row['index_mib']:>11,.0f}{row['single_qps']:>12,.0f}"
              f"{row['batched_qps']:>11,.0f}{row['recall']:>8.3f}{add:>12}")
    if len(results) == 2:
        ours, peer = results["clearsight"], results["threatexchange"]
        print(f"ratios (clearsight / threatexchange): single q/s {ours['single_qps'] / peer['single_qps']:.1f}x, "
              f"batched q/s {ours['batched_qps'] / peer['batched_qps']:.1f}x, peak memory {ours['peak_mib'] / peer['peak_mib']:.2f}x, "
              f"index memory {ours['index_mib'] / peer['index_mib']:.2f}x, build time {ours['build_s'] / peer['build_s']:.2f}x")


if __name__ == "__main__":
    main()
