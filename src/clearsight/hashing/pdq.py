"""PDQ, Meta's perceptual image hash (see `pdq_numpy` for how it is computed)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from clearsight.config import Settings
from clearsight.hashing.base import hamming_distance
from clearsight.hashing.pdq_numpy import bits_to_hex, pdq_dihedral_from_luma, pdq_from_luma
from clearsight.item import Item
from clearsight.media.image import decode_luma_for_hashing


class PdqSignal:
    name: ClassVar[str] = "pdq"
    default_threshold: ClassVar[int] = 31
    media_types: ClassVar[frozenset[str]] = frozenset({"image"})

    @staticmethod
    def distance(a: str, b: str) -> int:
        return hamming_distance(a, b)

    @staticmethod
    def compute(item: Item, settings: Settings) -> tuple[str, int | None]:
        """The PDQ and its quality; with `settings.pdq_dihedral`, the 8 dihedral PDQs go to the item's variants."""
        luma = np.asarray(decode_luma_for_hashing(item, settings.pdq_long_side, settings.limits))
        if not settings.pdq_dihedral:
            bits, quality = pdq_from_luma(luma)
            return bits_to_hex(bits), quality
        variants, quality = pdq_dihedral_from_luma(luma)
        item.result.variants["pdq"] = {name: bits_to_hex(bits) for name, bits in variants.items()}
        return item.result.variants["pdq"]["original"], quality
