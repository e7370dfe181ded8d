"""PDQ, Meta's perceptual image hash (see `pdq_numpy` for how it is computed)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from clearsight.config import Settings
from clearsight.hashing.base import hamming_distance
from clearsight.hashing.pdq_numpy import bits_to_hex, pdq_from_luma
from clearsight.item import Item
from clearsight.media.image import decode_luma_for_hashing


class PdqSignal:
    name: ClassVar[str] = "pdq"
    default_threshold: ClassVar[int] = 31
    media_types: ClassVar[frozenset[str]] = frozenset({"image"})
    distance = staticmethod(hamming_distance)

    @staticmethod
    def compute(item: Item, settings: Settings) -> tuple[str, int | None]:
        luma = np.asarray(decode_luma_for_hashing(item, settings.pdq_long_side, settings.limits))
        bits, quality = pdq_from_luma(luma)
        return bits_to_hex(bits), quality
