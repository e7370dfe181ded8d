"""PDQ, Meta's perceptual image hash (`media.image` says what is decoded): the hash
python-threatexchange's `PdqSignal`, and so HMA, computes for the same file.

Pillow weighs the picture into luma and `pdq_numpy` downsamples it in bands and computes the
hash; on photographs it gives the reference's bits (benchmarks/pdq_agreement.py) in a fraction of
its time and memory (pdqhash holds the whole picture as floats). Where the
bits near the DCT median are decided by float rounding (flat and synthetic pictures: fills,
checkerboards, test patterns; `pdq_numpy.is_fragile`), only the reference's exact loop order gives
its bits, so such pictures are hashed again by pdqhash, the bindings of the C++ reference that
`PdqSignal` itself calls, up to REFERENCE_MAX_PIXELS.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import numpy as np
import pdqhash
from PIL import Image

from clearsight.config import Settings
from clearsight.hashing.base import hamming_distance
from clearsight.hashing.pdq_numpy import DIHEDRAL, bits_to_hex, downsampled, is_fragile, pdq_dihedral_from_block, pdq_from_block
from clearsight.item import Item
from clearsight.media.image import decode_for_hashing

BAND_ROWS = 256
"""Pixel rows turned to luma at a time: a 12 MP photo's float luma would be 48 MB held whole."""

REFERENCE_MAX_PIXELS = 16 * 1024 * 1024
"""Largest fragile picture hashed again by the reference (it needs about 8 bytes a pixel); a
larger one keeps `pdq_numpy`'s bits, which may differ from the reference's in its tied bits."""
REFERENCE_DIHEDRAL = ("original", "rotate270", "rotate180", "rotate90", "flip_y", "flip_x", "transpose", "transverse")
"""pdqhash's order of the 8 dihedral hashes, in `pdq_numpy.DIHEDRAL`'s names."""

UPRIGHT_TURNS = {2: "flip_x", 3: "rotate180", 4: "flip_y", 5: "transpose", 6: "rotate90", 7: "transverse", 8: "rotate270"}
"""EXIF orientation to the dihedral transform (`pdq_numpy.DIHEDRAL`) that shows the stored pixels
upright: the PDQ of the upright picture, which a platform that bakes the rotation in shares."""


def _bands(image: Image.Image) -> Iterator[np.ndarray]:
    """The picture's float luma, a band of rows at a time, weighed by Pillow (`convert("F")`: the
    reference's weights, alpha ignored, within 1e-5 of the exact sum as numpy's float32 weighing
    is) in one pass over the decoded rows: weighing a copy of them in numpy took twice as long."""
    for top in range(0, image.height, BAND_ROWS):
        yield np.asarray(image.crop((0, top, image.width, min(top + BAND_ROWS, image.height))).convert("F"))


class PdqSignal:
    name: ClassVar[str] = "pdq"
    default_threshold: ClassVar[int] = 31
    media_types: ClassVar[frozenset[str]] = frozenset({"image"})

    @staticmethod
    def distance(a: str, b: str) -> int:
        return hamming_distance(a, b)

    @staticmethod
    def compute(item: Item, settings: Settings) -> tuple[str, int | None]:
        """The PDQ of the stored pixels and its quality. The item's variants get the 8 dihedral
        PDQs with `settings.pdq_dihedral`, else, for an image with an EXIF orientation, the PDQ
        of its upright picture under that orientation's transform name."""
        image, orientation = decode_for_hashing(item, settings.limits)
        kept = _variant_names(settings.pdq_dihedral, orientation)
        block = downsampled(_bands(image), image.height, image.width)
        if (block is None or is_fragile(block)) and image.width * image.height <= REFERENCE_MAX_PIXELS:
            variants, quality = _reference(image, bool(kept))
        else:
            del image
            if kept:
                variants, quality = pdq_dihedral_from_block(block)
            else:
                bits, quality = pdq_from_block(block)
                variants = {"original": bits}
        if not kept:
            return bits_to_hex(variants["original"]), quality
        item.result.variants["pdq"] = {name: bits_to_hex(variants[name]) for name in kept}
        return item.result.variants["pdq"]["original"], quality


def _reference(image: Image.Image, dihedral: bool) -> tuple[dict[str, np.ndarray], int]:
    """The hash (or the 8 dihedral hashes) from pdqhash, given the array `PdqSignal` gives it."""
    pixels = np.asarray(image)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[..., np.newaxis], 3, axis=2)
    if not dihedral:
        bits, quality = pdqhash.compute(pixels)
        return {"original": _reference_bits(bits)}, int(quality)
    hashes, quality = pdqhash.compute_dihedral(pixels)
    return {name: _reference_bits(bits) for name, bits in zip(REFERENCE_DIHEDRAL, hashes, strict=True)}, int(quality)


def _reference_bits(bits: np.ndarray) -> np.ndarray:
    """pdqhash's bits (most significant first) in `pdq_numpy`'s order (bit k of the hash first)."""
    return np.asarray(bits, dtype=bool)[::-1]


def _variant_names(dihedral: bool, orientation: int) -> tuple[str, ...]:
    """Which PDQ variants an image keeps: all 8 when asked, else the original and its upright
    picture when it has an EXIF orientation, else none."""
    if dihedral:
        return DIHEDRAL
    if orientation in UPRIGHT_TURNS:
        return ("original", UPRIGHT_TURNS[orientation])
    return ()
