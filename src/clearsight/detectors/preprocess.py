"""An image turned into a detector's input tensor, exactly as its card says."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image

from clearsight.detectors.card import ModelCard

FLOAT32 = npt.NDArray[np.float32]


def _fitted(image: Image.Image, card: ModelCard) -> Image.Image:
    """Resized (and cropped) to the card's input size."""
    if card.resize == "stretch":
        return image.resize((card.width, card.height), Image.Resampling.BILINEAR)
    factor = max(card.width / image.width, card.height / image.height)
    scaled = image.resize((max(card.width, round(image.width * factor)), max(card.height, round(image.height * factor))), Image.Resampling.BILINEAR)
    left = (scaled.width - card.width) // 2 if card.crop == "center" else 0
    top = (scaled.height - card.height) // 2 if card.crop == "center" else 0
    return scaled.crop((left, top, left + card.width, top + card.height))


def tensor(rgb: Image.Image, card: ModelCard) -> FLOAT32:
    """One image as a (C, H, W) or (H, W, C) float32 array, normalised; batch by stacking."""
    scaled: FLOAT32 = np.asarray(_fitted(rgb.convert("RGB"), card), dtype=np.float32) / np.float32(card.scale)
    normalised: FLOAT32 = ((scaled - np.asarray(card.mean, dtype=np.float32)) / np.asarray(card.std, dtype=np.float32)).astype(np.float32, copy=False)
    return np.ascontiguousarray(normalised.transpose(2, 0, 1) if card.layout == "NCHW" else normalised)
