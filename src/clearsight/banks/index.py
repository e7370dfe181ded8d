"""A Hamming-distance index for 256-bit hashes (PDQ) that stays exact and updates in place.

Why not faiss: python-threatexchange's `PDQIndex` (the index inside HMA) wraps faiss's
`IndexBinaryMultiHash` with 16 tables of 16 bits. At 10 million hashes each query then probes
272 buckets holding about 41,000 candidates, the tables are hash maps of vectors (9.3 GB), and
faiss offers no way to drop one hash. This module does multi-index hashing (Norouzi et al.) with
numpy alone, tuned to the bank size:

* the 256 bits are cut into m chunks of about log2(N) bits, so a bucket holds about one hash;
* by the refined pigeonhole principle, two hashes within distance D have some chunk i within
  t_i bits whenever the t_i + 1 sum to D + 1; probing every key within t_i bits of the query's
  chunk i therefore finds every match (recall 1.0 by construction), and the candidates are
  verified with the full 256-bit distance;
* each chunk's table is a sorted list of row numbers with a dense offsets array (compressed
  sparse rows): one array read per probe, 8 bytes per hash per table, no per-bucket objects;
* whole batches of probes and candidates go through numpy in a few vector operations.

Updates: hashes added after the build go to a small delta searched by brute force and merged
into the tables when it grows; removals clear a liveness flag. Small indexes are searched by
brute force alone, which is faster than any table below some tens of thousands of hashes.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, pairwise

import numpy as np

from clearsight.hashing.bits import BITS, WORDS, hamming_distances

BRUTE_FORCE_BELOW = 32_768
"""Below this many hashes, scanning them all beats probing tables."""
KEY_BLOCK = 65_536
"""Rows whose chunk keys are computed at once while building (bounds the bit-matrix temporaries)."""
QUERY_BLOCK = 64
"""Queries searched together: enough to amortise numpy's per-call cost, few enough to stay in cache."""
BUILD_THREADS = 2
"""Chunks built at once: their sorts run in parallel outside the GIL."""
SCAN_BLOCK = 1 << 20
"""Query-row pairs compared at once by the brute-force scan (bounds its temporary memory)."""
MERGE_DELTA_AT = 65_536
"""Delta size (or an eighth of the tables' size, if larger) at which a bank's tables are rebuilt."""


def _chunk_widths(size: int) -> tuple[int, ...]:
    """Chunk widths for an index of `size` hashes: about log2(size) bits, 8 to 16 chunks."""
    count = min(16, max(8, round(BITS / max(math.log2(max(size, 2)), 1.0))))
    base, extra = divmod(BITS, count)
    return tuple(base + 1 if chunk < extra else base for chunk in range(count))


def _chunk_weights(widths: tuple[int, ...]) -> np.ndarray:
    """(256, chunks) matrix turning a row of hash bits (most significant first) into chunk keys."""
    weights = np.zeros((BITS, len(widths)), dtype=np.float64)
    start = 0
    for chunk, width in enumerate(widths):
        weights[start : start + width, chunk] = 2.0 ** np.arange(width - 1, -1, -1)
        start += width
    return weights


def _big_endian_bits(words: np.ndarray) -> np.ndarray:
    """(N, 256) uint8 bits of (N, 4) words, most significant first."""
    return np.unpackbits(words.astype(">u8").view(np.uint8).reshape(len(words), -1), axis=1)


def _chunk_keys(words: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(N, chunks) uint32 chunk keys of (N, 4) words (the float64 product is exact below 2**53)."""
    keys: np.ndarray = (_big_endian_bits(words) @ weights).astype(np.uint32)
    return keys


@lru_cache(maxsize=128)
def _flip_masks(width: int, radius: int) -> np.ndarray:
    """Every `width`-bit mask with at most `radius` bits set (0 first)."""
    masks = [0]
    for count in range(1, radius + 1):
        masks.extend(sum(1 << bit for bit in bits) for bits in combinations(range(width), count))
    return np.asarray(masks, dtype=np.int64)


def _radii(widths: tuple[int, ...], max_distance: int) -> list[int]:
    """Per-chunk probe radii t_i (-1 = chunk not probed) with sum(t_i + 1) = max_distance + 1.

    Budget goes first to the widest chunks when it is short (one exact probe each), then evenly,
    the extra unit to the narrowest chunks (fewest keys to enumerate per extra bit).
    """
    budget = max_distance + 1
    count = len(widths)
    if budget < count:
        widest = sorted(range(count), key=lambda chunk: (-widths[chunk], chunk))[:budget]
        return [0 if chunk in widest else -1 for chunk in range(count)]
    narrowest = sorted(range(count), key=lambda chunk: (widths[chunk], chunk))[: budget % count]
    return [budget // count - 1 + (chunk in narrowest) for chunk in range(count)]


@dataclass
class Hits:
    """Matches of one query: row ids and tags as given to `build`/`add`, and distances."""

    ids: np.ndarray
    tags: np.ndarray
    distances: np.ndarray

    @classmethod
    def empty(cls) -> Hits:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))


class _Tables:
    """The immutable multi-index tables over one set of codes."""

    def __init__(self, codes: np.ndarray, saved: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Build the tables over `codes`, or adopt `saved` (offsets, rows) built earlier over them."""
        size = len(codes)
        if size >= 2**32:
            raise ValueError("an index holds fewer than 2**32 hashes")
        self.widths = _chunk_widths(size)
        self.weights = _chunk_weights(self.widths)
        self.bases = np.cumsum([0] + [(1 << width) + 1 for width in self.widths[:-1]])
        """Where each chunk's offsets start in the concatenated offsets array."""
        self._plans: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        offsets_length = sum((1 << width) + 1 for width in self.widths)
        offsets_type = np.int64 if size * len(self.widths) >= 2**32 else np.uint32
        if saved is not None:
            if saved[0].shape != (offsets_length,) or saved[1].shape != (size * len(self.widths),):
                raise ValueError("saved tables do not fit these codes")
            self.offsets, self.rows = saved[0].astype(offsets_type, copy=False), saved[1].astype(np.uint32, copy=False)
            return
        self.offsets = np.empty(offsets_length, dtype=offsets_type)
        self.rows = np.empty(size * len(self.widths), dtype=np.uint32)
        with ThreadPoolExecutor(BUILD_THREADS) as pool:
            list(pool.map(lambda chunk: self._fill(chunk, codes), range(len(self.widths))))

    def _fill(self, chunk: int, codes: np.ndarray) -> None:
        """One chunk's bucket offsets, and its rows sorted by key (numpy sorts release the GIL);
        done in place, chunk by chunk, so building needs little memory beyond the tables."""
        size = len(codes)
        start = sum(self.widths[:chunk])
        first, last = start // 8, (start + self.widths[chunk] - 1) // 8 + 1
        weights = self.weights[8 * first : 8 * last, chunk]
        keys = np.empty(size, dtype=np.uint32)
        for lo in range(0, size, KEY_BLOCK):
            window = codes[lo : lo + KEY_BLOCK].astype(">u8").view(np.uint8).reshape(-1, 8 * WORDS)[:, first:last]
            keys[lo : lo + len(window)] = np.unpackbits(window, axis=1) @ weights
        base, buckets = self.bases[chunk], 1 << self.widths[chunk]
        ends = self.offsets[base + 1 : base + buckets + 1]
        np.cumsum(np.bincount(keys, minlength=buckets), dtype=self.offsets.dtype, out=ends)
        np.add(ends, chunk * size, out=ends, casting="unsafe")
        self.offsets[base] = chunk * size
        packed = keys.astype(np.uint64)
        del keys
        packed <<= np.uint64(32)
        packed |= np.arange(size, dtype=np.uint64)
        packed.sort()
        packed &= np.uint64(0xFFFFFFFF)
        self.rows[chunk * size : (chunk + 1) * size] = packed

    def plan(self, max_distance: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(chunk of each probe, flip mask of each probe, offsets base of each probe) at this distance."""
        if max_distance not in self._plans:
            self._plans[max_distance] = self._make_plan(max_distance)
        return self._plans[max_distance]

    def _make_plan(self, max_distance: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        chunks, masks = [], []
        for chunk, radius in enumerate(_radii(self.widths, max_distance)):
            if radius >= 0:
                flips = _flip_masks(self.widths[chunk], radius)
                chunks.append(np.full(len(flips), chunk))
                masks.append(flips)
        chunk_of = np.concatenate(chunks)
        return chunk_of, np.concatenate(masks), self.bases[chunk_of]

    def candidates(self, queries: np.ndarray, max_distance: int) -> tuple[np.ndarray, np.ndarray]:
        """(query number, row) pairs whose rows share a chunk within its radius with the query.

        Written for few queries as much as for many: an API lookup is one query, so the cost is
        the number of numpy calls and of random reads into the tables, not arithmetic.
        """
        chunk_of, masks, bases = self.plan(max_distance)
        probes = _chunk_keys(queries, self.weights)[:, chunk_of].astype(np.int64)
        probes ^= masks
        probes += bases
        begins = np.take(self.offsets, probes).astype(np.int64)
        lengths = np.take(self.offsets, probes + 1) - begins
        ends = np.cumsum(lengths)
        total = int(ends[-1]) if ends.size else 0
        rows = np.take(self.rows, np.arange(total) + np.repeat(begins.ravel() - ends + lengths.ravel(), lengths.ravel()))
        query_of = np.zeros(total, dtype=np.int64) if len(queries) == 1 else np.repeat(np.arange(len(queries)), lengths.sum(axis=1))
        return query_of, rows


class HammingIndex:
    """Exact radius search over 256-bit codes with per-row ids and tags (bank ids).

    Rows live in arrays with spare capacity, so adding a few hashes to a large index writes them
    in place instead of copying every array.
    """

    def __init__(self, tables_from: int = BRUTE_FORCE_BELOW, merge_at: int = MERGE_DELTA_AT) -> None:
        self.tables_from = tables_from
        """Rows from which tables are built: below, brute force is faster for a bank's batched
        lookups; an index that grows by arrivals queried as they come (clustering) gains from
        tables much sooner."""
        self.merge_at = merge_at
        """Delta size (or an eighth of the tables' size, if larger) at which the tables are rebuilt."""
        self.size = 0
        """Rows in use; the arrays below are longer (spare capacity)."""
        self._codes = np.zeros((0, WORDS), dtype=np.uint64)
        self._ids = np.zeros(0, dtype=np.int64)
        self._tags = np.zeros(0, dtype=np.int32)
        self._alive = np.zeros(0, dtype=bool)
        self.tables: _Tables | None = None
        self.indexed = 0
        """Rows [0, indexed) are in the tables; the rest are the delta, searched by brute force."""
        self._live = 0
        """Live rows, kept as a count because every lookup asks and summing the flags costs a pass over them."""

    def __len__(self) -> int:
        return self._live

    def _allocate(self, capacity: int) -> None:
        """Grow (or shrink) the row arrays to `capacity`, keeping the rows in use."""
        for name, dtype, shape in (("_codes", np.uint64, (capacity, WORDS)), ("_ids", np.int64, (capacity,)),
                                   ("_tags", np.int32, (capacity,)), ("_alive", np.bool_, (capacity,))):
            grown = np.zeros(shape, dtype=dtype)
            grown[: self.size] = getattr(self, name)[: self.size]
            setattr(self, name, grown)

    def _replace_rows(self, codes: np.ndarray, ids: np.ndarray, tags: np.ndarray) -> None:
        """Make these the only rows, with room to add an eighth more before growing; no tables yet."""
        self.size, self.tables, self.indexed, self._live = 0, None, 0, 0
        self._allocate(len(ids) + max(self.merge_at, len(ids) // 8))
        self._append(codes, ids, tags)

    def build(self, codes: np.ndarray, ids: np.ndarray, tags: np.ndarray) -> None:
        """Replace the contents with these rows and build the tables."""
        self._replace_rows(codes, ids, tags)
        if self.size >= self.tables_from:
            self.tables = _Tables(self._codes[: self.size])
            self.indexed = self.size

    def _append(self, codes: np.ndarray, ids: np.ndarray, tags: np.ndarray) -> None:
        count = len(ids)
        if self.size + count > len(self._ids):
            self._allocate(max(2 * len(self._ids), self.size + count))
        rows = slice(self.size, self.size + count)
        self._codes[rows] = np.asarray(codes, dtype=np.uint64).reshape(-1, WORDS)
        self._ids[rows], self._tags[rows], self._alive[rows] = ids, tags, True
        self.size += count
        self._live += count

    def add(self, codes: np.ndarray, ids: np.ndarray, tags: np.ndarray) -> None:
        """Append rows; they are searchable as soon as this returns."""
        self._append(codes, ids, tags)
        if self.size - self.indexed >= max(self.merge_at, self.indexed // 8):
            self.compact()

    def remove(self, ids: np.ndarray | list[int]) -> int:
        """Stop returning rows with these ids; how many were found."""
        rows = np.flatnonzero(np.isin(self._ids[: self.size], np.asarray(ids, dtype=np.int64)) & self._alive[: self.size])
        self._alive[rows] = False
        self._live -= len(rows)
        return len(rows)

    @property
    def clean(self) -> bool:
        """True when every row is live and in the tables (nothing to merge): the state worth saving."""
        return self.size == self.indexed and bool(self._alive[: self.size].all())

    def arrays(self) -> dict[str, np.ndarray]:
        """The rows and tables as plain arrays, for `from_arrays` (see `banks.snapshot`)."""
        saved: dict[str, np.ndarray] = {"codes": self._codes[: self.size], "ids": self._ids[: self.size], "tags": self._tags[: self.size]}
        if self.tables is not None:
            saved |= {"offsets": self.tables.offsets, "rows": self.tables.rows}
        return saved

    @classmethod
    def from_arrays(cls, saved: dict[str, np.ndarray]) -> HammingIndex:
        """An index over saved rows, adopting the saved tables instead of building them."""
        index = cls()
        index._replace_rows(saved["codes"], saved["ids"], saved["tags"])
        if "offsets" in saved:
            index.tables = _Tables(index._codes[: index.size], (saved["offsets"], saved["rows"]))
            index.indexed = index.size
        return index

    def compact(self) -> None:
        """Drop removed rows and fold the delta into freshly built tables."""
        keep = self._alive[: self.size]
        self.build(self._codes[: self.size][keep], self._ids[: self.size][keep], self._tags[: self.size][keep])

    def query(self, queries: np.ndarray, max_distance: int) -> list[Hits]:
        """For each (4-word) query, every live row within `max_distance` bits (inclusive)."""
        queries = np.asarray(queries, dtype=np.uint64).reshape(-1, WORDS)
        return [hits for lo in range(0, len(queries), QUERY_BLOCK) for hits in self._query_block(queries[lo : lo + QUERY_BLOCK], max_distance)]

    def _query_block(self, queries: np.ndarray, max_distance: int) -> list[Hits]:
        brute_from = 0
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        if self.tables is not None and len(self.tables.plan(max_distance)[0]) < self.indexed // 4:
            query_of, rows = self.tables.candidates(queries, max_distance)
            distances = hamming_distances(np.take(self._codes, rows, axis=0), queries if len(queries) == 1 else np.take(queries, query_of, axis=0))
            near = np.flatnonzero(distances <= max_distance)
            parts.append((query_of[near], rows[near].astype(np.int64), distances[near]))
            brute_from = self.indexed
        if brute_from < self.size:
            parts.extend(self._scan(queries, brute_from, max_distance))
        if not parts:
            parts.append((np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)))
        query_of, rows, distances = parts[0] if len(parts) == 1 else (np.concatenate(column) for column in zip(*parts, strict=True))
        live = self._alive[rows]
        query_of, rows, distances = query_of[live], rows[live], distances[live]
        _, first = np.unique(query_of * self.size + rows, return_index=True)
        query_of, rows, distances = query_of[first], rows[first], distances[first]
        bounds = np.searchsorted(query_of, np.arange(len(queries) + 1))
        return [
            Hits(self._ids[rows[lo:hi]], self._tags[rows[lo:hi]], distances[lo:hi])
            for lo, hi in pairwise(bounds)
        ]

    def _scan(self, queries: np.ndarray, start: int, max_distance: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Brute force over rows [start, size), in blocks of queries that keep the distance matrix small."""
        codes = self._codes[start : self.size]
        block = max(1, SCAN_BLOCK // len(codes))
        found = []
        for lo in range(0, len(queries), block):
            matrix = np.bitwise_count(codes[np.newaxis, :, :] ^ queries[lo : lo + block, np.newaxis, :]).sum(axis=2, dtype=np.int64)
            query_of, columns = np.nonzero(matrix <= max_distance)
            found.append((query_of + lo, columns + start, matrix[query_of, columns]))
        return found
