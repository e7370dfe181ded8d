"""The PDQ index finds exactly what a brute-force scan finds, at any size and distance, and
takes additions and removals without a rebuild."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearsight.banks.index import BRUTE_FORCE_BELOW, HammingIndex, _chunk_widths, _radii
from clearsight.hashing.bits import BITS, hex_to_words


def random_codes(rng: np.random.Generator, count: int) -> np.ndarray:
    return rng.integers(0, 2**64, size=(count, 4), dtype=np.uint64)


def flip_bits(code: np.ndarray, rng: np.random.Generator, count: int) -> np.ndarray:
    flipped = code.copy()
    for bit in rng.choice(BITS, size=count, replace=False):
        flipped[bit // 64] ^= np.uint64(1) << np.uint64(63 - bit % 64)
    return flipped


def brute_force(codes: np.ndarray, query: np.ndarray, distance: int) -> set[int]:
    return set(np.flatnonzero(np.bitwise_count(codes ^ query).sum(axis=1) <= distance).tolist())


@pytest.fixture(scope="module")
def tabled() -> tuple[HammingIndex, np.ndarray]:
    """An index large enough to use its multi-index tables, not only brute force."""
    rng = np.random.default_rng(7)
    codes = random_codes(rng, BRUTE_FORCE_BELOW * 2)
    index = HammingIndex()
    index.build(codes, np.arange(len(codes)) + 1000, np.arange(len(codes)) % 3)
    assert index.tables is not None
    return index, codes


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), distance=st.integers(0, 64))
def test_the_tables_find_every_planted_neighbour_and_nothing_else(tabled: tuple[HammingIndex, np.ndarray], seed: int, distance: int) -> None:
    index, codes = tabled
    rng = np.random.default_rng(seed)
    queries = np.stack([flip_bits(codes[rng.integers(len(codes))], rng, int(rng.integers(0, distance + 1))) for _ in range(4)])
    for query, hits in zip(queries, index.query(queries, distance), strict=True):
        assert set((hits.ids - 1000).tolist()) == brute_force(codes, query, distance)
        assert (hits.distances <= distance).all()


def test_distance_is_inclusive(tabled: tuple[HammingIndex, np.ndarray]) -> None:
    index, codes = tabled
    query = flip_bits(codes[5], np.random.default_rng(1), 31)
    assert 1005 in index.query(query, 31)[0].ids
    assert 1005 not in index.query(query, 30)[0].ids


def test_hits_carry_their_ids_tags_and_distances(tabled: tuple[HammingIndex, np.ndarray]) -> None:
    index, codes = tabled
    (hits,) = index.query(codes[10], 0)
    assert (hits.ids.tolist(), hits.tags.tolist(), hits.distances.tolist()) == ([1010], [10 % 3], [0])


def test_added_hashes_are_found_at_once_and_removed_ones_no_more() -> None:
    rng = np.random.default_rng(3)
    codes = random_codes(rng, BRUTE_FORCE_BELOW + 10)
    index = HammingIndex()
    index.build(codes, np.arange(len(codes)), np.zeros(len(codes)))
    extra = random_codes(rng, 1000)
    index.add(extra, np.arange(1000) + 10**6, np.ones(1000))
    assert index.query(flip_bits(extra[999], rng, 20), 31)[0].ids.tolist() == [10**6 + 999]
    assert index.remove([10**6 + 999, 3, 424242]) == 2
    assert index.query(extra[999], 31)[0].ids.size == 0
    assert index.query(codes[3], 0)[0].ids.size == 0
    index.compact()
    assert len(index) == len(codes) + 1000 - 2
    assert index.query(extra[0], 0)[0].ids.tolist() == [10**6]


def test_an_index_grown_by_additions_alone_is_merged_into_tables() -> None:
    rng = np.random.default_rng(4)
    index = HammingIndex()
    codes = random_codes(rng, 70_000)
    for start in range(0, len(codes), 10_000):
        index.add(codes[start : start + 10_000], np.arange(start, min(start + 10_000, len(codes))), np.zeros(min(10_000, len(codes) - start)))
    assert index.tables is not None
    assert index.query(codes[65_000], 3)[0].ids.tolist() == [65_000]


@pytest.mark.parametrize("size", [100, 50_000, 1_000_000, 10_000_000])
def test_chunks_cover_all_bits_and_their_radii_satisfy_the_pigeonhole_bound(size: int) -> None:
    widths = _chunk_widths(size)
    assert sum(widths) == BITS and max(widths) <= 32
    for distance in (0, 5, 31, 64):
        radii = _radii(widths, distance)
        assert sum(radius + 1 for radius in radii) == distance + 1
        assert min(radii) >= -1


def test_hex_values_become_words_most_significant_first() -> None:
    words = hex_to_words(["80" + "00" * 31, "00" * 31 + "01"])
    assert words[0].tolist() == [2**63, 0, 0, 0]
    assert words[1].tolist() == [0, 0, 0, 1]
