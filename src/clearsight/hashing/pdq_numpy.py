"""PDQ computed with numpy matrix products, from decoded pixels.

Why not only `pdqhash`: its binding converts RGB to luma with float64 numpy temporaries and runs
the reference's scalar box filters, 3.3 ms for a 512-pixel image (more than decoding it), and it
ships only as a source package that needs a C++ compiler. PDQ's blur-and-decimate is linear
(two passes of a 1-D box filter along each axis, then sampling 64x64 points), so it is exactly
`L @ luma @ R.T` with two small matrices that depend only on the image size and are cached. The
tests check this module against `pdqhash` and the reference vectors.

Steps, as in the reference (facebook/ThreatExchange pdq/cpp): Jarosz tent filter with window
ceil-ish(size/128) per pass, two passes; decimate at pixel centres to 64x64; quality from
quantised gradients; 2-D DCT keeping coefficients 1..16; bit set where a coefficient is above
the median (Torben's, i.e. the 128th smallest).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np

HASH_SIDE = 64
DCT_SIDE = 16
JAROSZ_PASSES = 2
MIN_HASHABLE_DIM = 5


def _window(old: int) -> int:
    return (old + 2 * HASH_SIDE - 1) // (2 * HASH_SIDE)


def _box_windows(length: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """One pass of the reference's 1-D box filter: output position j averages the inputs
    [starts[j], stops[j]), a window clipped at the ends."""
    half = (window + 2) // 2
    positions = np.arange(length)
    return np.maximum(0, positions - (window - half)), np.minimum(length, positions + half)


def _then_box(rows: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """`rows @ box` for the box filter's (length x length) matrix, without building it: each
    input j spreads rows[:, j] / its window size over [starts[j], stops[j]), summed through a
    difference array. At full resolution (13,000 pixels a side) the dense matrix alone would
    take 1.3 GB."""
    spread = (rows / (stops - starts)).T
    deltas = np.zeros((rows.shape[1] + 1, rows.shape[0]))
    np.add.at(deltas, starts, spread)
    np.add.at(deltas, stops, -spread)
    return np.cumsum(deltas[:-1], axis=0).T


def _downsampler(length: int) -> np.ndarray:
    """64 x length: tent-filter (box passes) then decimate one axis of an image `length` pixels long."""
    return _supported(length)[0]


@lru_cache(maxsize=256)
def _supported(length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_downsampler(length)` with, for each of its 64 rows, where its weights start and stop:
    sample s averages the first pass's outputs [starts[s], stops[s]), which average the inputs
    from starts[starts[s]] to stops[stops[s] - 1]. Outside that the weights are exactly zero
    (the difference array's cumsum leaves rounding residue there, cleared here)."""
    starts, stops = _box_windows(length, _window(length))
    samples = np.array([int(((index + 0.5) * length) / HASH_SIDE) for index in range(HASH_SIDE)])
    positions = np.arange(length)
    rows = ((positions >= starts[samples, np.newaxis]) & (positions < stops[samples, np.newaxis])) / (stops - starts)[samples, np.newaxis]
    for _ in range(JAROSZ_PASSES - 1):
        rows = _then_box(rows, starts, stops)
    first, last = starts[starts[samples]], stops[stops[samples] - 1]
    rows[(positions < first[:, np.newaxis]) | (positions >= last[:, np.newaxis])] = 0.0
    return np.ascontiguousarray(rows, dtype=np.float32), first, last


@lru_cache(maxsize=1)
def _dct_matrix() -> np.ndarray:
    rows = np.arange(1, DCT_SIDE + 1)[:, np.newaxis]
    cols = np.arange(HASH_SIDE)[np.newaxis, :]
    matrix: np.ndarray = (np.sqrt(2.0 / HASH_SIDE) * np.cos((np.pi / 2.0 / HASH_SIDE) * rows * (2 * cols + 1))).astype(np.float32)
    return matrix


def _quality(block: np.ndarray) -> int:
    vertical = np.trunc((block[:-1, :] - block[1:, :]) * np.float32(100) / np.float32(255))
    horizontal = np.trunc((block[:, :-1] - block[:, 1:]) * np.float32(100) / np.float32(255))
    gradient_sum = int(np.abs(vertical).sum() + np.abs(horizontal).sum())
    return min(gradient_sum // 90, 100)


LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)
"""Luma of an RGB pixel, as the reference and its `pdqhash` binding weigh it."""


def luma_of(pixels: np.ndarray) -> np.ndarray:
    """Float luma of a band of decoded pixels: RGB(A) weighed as the reference does (alpha
    ignored), greyscale as it is. Each channel is weighed straight from its bytes into float32
    and summed in the reference's order (red, green, blue): the same values as converting the
    band to float first and multiplying by the weights, without its 12-byte-per-pixel copy
    (a quarter faster on a 3 MP photo)."""
    if pixels.ndim != 3:
        grey: np.ndarray = pixels.astype(np.float32, copy=False)
        return grey
    luma: np.ndarray = np.multiply(pixels[:, :, 0], LUMA_WEIGHTS[0], dtype=np.float32)
    term = np.empty_like(luma)
    for channel in (1, 2):
        np.multiply(pixels[:, :, channel], LUMA_WEIGHTS[channel], out=term, dtype=np.float32)
        luma += term
    return luma


def downsampled(bands: Iterable[np.ndarray], rows: int, cols: int) -> np.ndarray | None:
    """The 64x64 image PDQ hashes (tent-filtered and decimated) of a `rows` x `cols` image given
    as consecutive bands of pixel rows, so the image's luma is never held whole; None for images
    too small to hash.

    Each of the 64 sampled rows is a weighted sum of the few dozen luma rows under its tent
    (`_supported`), taken from the band as one vector-matrix product over contiguous rows; the
    columns are then filtered on that 64-row result alone. A dense product over every pixel
    (64 multiply-adds each) cost more than a JPEG's decode."""
    if rows < MIN_HASHABLE_DIM or cols < MIN_HASHABLE_DIM:
        return None
    weights, first, last = _supported(rows)
    sampled = np.zeros((HASH_SIDE, cols), dtype=np.float32)
    top = 0
    for band in bands:
        luma = luma_of(band)
        bottom = top + luma.shape[0]
        for sample in np.flatnonzero((first < bottom) & (last > top)):
            start, stop = max(first[sample], top), min(last[sample], bottom)
            sampled[sample] += weights[sample, start:stop] @ luma[start - top : stop - top]
        top = bottom
    block: np.ndarray = sampled @ _downsampler(cols).T
    return block


def _coefficients(block: np.ndarray) -> tuple[np.ndarray, int]:
    """The 16x16 DCT coefficients of a downsampled image, and its quality."""
    dct = _dct_matrix()
    return dct @ block @ dct.T, _quality(block)


def _bits(coefficients: np.ndarray) -> np.ndarray:
    flat = coefficients.ravel()
    bits: np.ndarray = flat > np.partition(flat, 127)[127]
    return bits


NEAR_TIE = 1e-5
"""How close to the median (relative to the largest coefficient) a DCT coefficient must be for
float rounding to decide its bit: float32 sums in another order differ by about 1e-6."""


def is_fragile(block: np.ndarray | None) -> bool:
    """Whether the order of float operations could decide some of this block's bits: a DCT
    coefficient other than the median itself lies within NEAR_TIE of it. Photographs almost never
    have such ties; flat and synthetic pictures (fills, checkerboards, test patterns) do, their
    coefficients being rounding noise around zero."""
    if block is None:
        return False
    flat = _coefficients(block)[0].ravel()
    median = np.partition(flat, 127)[127]
    scale = float(np.abs(flat).max()) or 1.0
    return int(np.count_nonzero(np.abs(flat - median) <= NEAR_TIE * scale)) > 1


def pdq_from_block(block: np.ndarray | None) -> tuple[np.ndarray, int]:
    """(256 hash bits, bit k at index k, quality) of a downsampled image (see `downsampled`);
    an image too small to hash has no bits set and quality 0."""
    if block is None:
        return np.zeros(DCT_SIDE * DCT_SIDE, dtype=bool), 0
    coefficients, quality = _coefficients(block)
    return _bits(coefficients), quality


def pdq_from_luma(luma: np.ndarray) -> tuple[np.ndarray, int]:
    """(256 hash bits, quality) of a 2-D luma array (uint8 or float), held whole (video frames)."""
    return pdq_from_block(downsampled([luma], *luma.shape))


_ODD_FREQUENCY = np.where(np.arange(1, DCT_SIDE + 1) % 2 == 1, -1.0, 1.0).astype(np.float32)
"""Mirroring an axis negates the coefficients of odd frequencies (cos(pi*k - x) = (-1)^k cos x)."""

DIHEDRAL = ("original", "rotate90", "rotate180", "rotate270", "flip_x", "flip_y", "transpose", "transverse")
"""The 8 rotations and mirror images, named for the transform that turns the query into the match."""


def _dihedral(coefficients: np.ndarray) -> dict[str, np.ndarray]:
    """Coefficients of each transformed image, from the original's alone (as the reference does)."""
    flip_x = coefficients * _ODD_FREQUENCY[np.newaxis, :]
    flip_y = coefficients * _ODD_FREQUENCY[:, np.newaxis]
    flip_both = flip_x * _ODD_FREQUENCY[:, np.newaxis]
    return {
        "original": coefficients,
        "rotate90": flip_y.T,
        "rotate180": flip_both,
        "rotate270": flip_x.T,
        "flip_x": flip_x,
        "flip_y": flip_y,
        "transpose": coefficients.T,
        "transverse": flip_both.T,
    }


def pdq_dihedral_from_block(block: np.ndarray | None) -> tuple[dict[str, np.ndarray], int]:
    """Hash bits of the image under each of the 8 dihedral transforms, and the quality."""
    if block is None:
        return {name: np.zeros(DCT_SIDE * DCT_SIDE, dtype=bool) for name in DIHEDRAL}, 0
    coefficients, quality = _coefficients(block)
    return {name: _bits(variant) for name, variant in _dihedral(coefficients).items()}, quality


def bits_to_hex(bits: np.ndarray) -> str:
    """The reference hex form: bit k of the hash is bit k of a 256-bit big-endian number."""
    return np.packbits(bits[::-1].astype(np.uint8)).tobytes().hex()
