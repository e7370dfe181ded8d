"""256-bit hashes (PDQ) as rows of four uint64 words, and their Hamming distances.

The bank index (`banks.index`) and the store's similar-items query (`store.items`) compare PDQ
hashes the same way; this module sits below both, importing nothing of Clearsight, so the store
needs nothing from the banks layer to do it.
"""

from __future__ import annotations

import numpy as np

BITS = 256
WORDS = BITS // 64
HEX_BLOCK = 65_536
"""Hex strings converted at once."""
PDQ_MATCH_DISTANCE = 31
"""HMA's PDQ match threshold (python-threatexchange's PdqSignal.PDQ_CONFIDENT_MATCH_THRESHOLD): the
distance up to which two PDQ hashes are the same picture, for bank matches and re-appearances alike."""


def hex_to_words(values: list[str]) -> np.ndarray:
    """(N, 4) uint64 words of 64-hex-digit strings, most significant first (converted in blocks,
    so 10 million hashes need no gigabyte-sized temporary string)."""
    words = np.empty((len(values), WORDS), dtype=np.uint64)
    for lo in range(0, len(values), HEX_BLOCK):
        block = values[lo : lo + HEX_BLOCK]
        words[lo : lo + len(block)] = np.frombuffer(bytes.fromhex("".join(block)), dtype=">u8").reshape(-1, WORDS)
    return words


def hamming_distances(codes: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Row-wise Hamming distance between (K, 4) word arrays (added by column: numpy's row sums
    over 4 elements cost more than the popcounts)."""
    counts = np.bitwise_count(codes ^ queries)
    distances: np.ndarray = (counts[:, 0] + counts[:, 1]).astype(np.int64) + (counts[:, 2] + counts[:, 3])
    return distances
