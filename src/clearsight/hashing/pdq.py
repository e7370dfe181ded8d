"""PDQ, Meta's perceptual image hash, through the `pdqhash` bindings to the reference C++ code."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pdqhash

from clearsight.config import Settings
from clearsight.hashing.base import hamming_distance
from clearsight.item import Item
from clearsight.media.image import decode_luma_for_hashing


def vector_to_hex(bits: np.ndarray) -> str:
    """The 256-bit vector as the 64-hex-digit string of the reference tools (first bit highest)."""
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


class PdqSignal:
    name: ClassVar[str] = "pdq"
    default_threshold: ClassVar[int] = 31
    media_types: ClassVar[frozenset[str]] = frozenset({"image"})
    distance = staticmethod(hamming_distance)

    @staticmethod
    def compute(item: Item, settings: Settings) -> tuple[str, int | None]:
        luma = np.asarray(decode_luma_for_hashing(item, settings.pdq_long_side, settings.limits))
        return hash_luma(luma)


def hash_luma(luma: np.ndarray) -> tuple[str, int]:
    """PDQ of a 2-D luma array: `pdqhash` takes RGB, and equal channels give back the same luma."""
    bits, quality = pdqhash.compute(np.repeat(luma[:, :, np.newaxis], 3, axis=2))
    return vector_to_hex(bits), int(quality)
