"""PDQ, Meta's perceptual image hash (see `pdq_numpy` for how it is computed, `media.image` for
what is decoded): the hash python-threatexchange's `PdqSignal`, and so HMA, computes for the
same file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import numpy as np
from PIL import Image

from clearsight.config import Settings
from clearsight.hashing.base import hamming_distance
from clearsight.hashing.pdq_numpy import DIHEDRAL, bits_to_hex, downsampled, pdq_dihedral_from_block, pdq_from_block
from clearsight.item import Item
from clearsight.media.image import decode_for_hashing

BAND_ROWS = 256
"""Pixel rows turned to luma at a time: a 12 MP photo's float luma would be 48 MB held whole."""

UPRIGHT_TURNS = {2: "flip_x", 3: "rotate180", 4: "flip_y", 5: "transpose", 6: "rotate90", 7: "transverse", 8: "rotate270"}
"""EXIF orientation to the dihedral transform (`pdq_numpy.DIHEDRAL`) that shows the stored pixels
upright: the PDQ of the upright picture, which a platform that bakes the rotation in shares."""


def _bands(image: Image.Image) -> Iterator[np.ndarray]:
    for top in range(0, image.height, BAND_ROWS):
        yield np.asarray(image.crop((0, top, image.width, min(top + BAND_ROWS, image.height))))


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
        block = downsampled(_bands(image), image.height, image.width)
        del image
        kept = _variant_names(settings.pdq_dihedral, orientation)
        if not kept:
            bits, quality = pdq_from_block(block)
            return bits_to_hex(bits), quality
        variants, quality = pdq_dihedral_from_block(block)
        item.result.variants["pdq"] = {name: bits_to_hex(variants[name]) for name in kept}
        return item.result.variants["pdq"]["original"], quality


def _variant_names(dihedral: bool, orientation: int) -> tuple[str, ...]:
    """Which PDQ variants an image keeps: all 8 when asked, else the original and its upright
    picture when it has an EXIF orientation, else none."""
    if dihedral:
        return DIHEDRAL
    if orientation in UPRIGHT_TURNS:
        return ("original", UPRIGHT_TURNS[orientation])
    return ()
