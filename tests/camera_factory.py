"""Simulated cameras for the sensor-fingerprint tests and benchmark: benign synthetic scenes
(smooth colour fields, gradients and texture at random scales) taken through a fixed
multiplicative noise pattern per camera, plus shot noise, then JPEG-encoded as a camera would.

A real sensor's PRNU is a per-pixel gain near 1 (a few tenths of a percent to a percent); the
simulated one has a standard deviation of `PRNU_STRENGTH`, towards the weak end.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

PRNU_STRENGTH = 0.01


def sensor_pattern(seed: int, size: tuple[int, int], strength: float = PRNU_STRENGTH) -> np.ndarray:
    """A camera's fixed gain pattern (height x width), the same for every photo it takes."""
    width, height = size
    return np.random.default_rng(10_000 + seed).normal(0.0, strength, (height, width)).astype(np.float32)


def scene(seed: int, size: tuple[int, int]) -> np.ndarray:
    """A synthetic scene in [0, 255] (height x width x 3): a few smooth colour blobs, a gradient
    and some fine texture, different for every seed."""
    width, height = size
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(40, 215, (max(2, height // 64), max(2, width // 64), 3)).astype(np.float32)
    base = np.asarray(Image.fromarray(coarse.astype(np.uint8)).resize((width, height), Image.Resampling.BICUBIC), np.float32)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    gradient = 30 * np.sin((np.cos(angle) * x + np.sin(angle) * y) / rng.uniform(60, 400))
    fine = np.asarray(Image.fromarray(rng.integers(0, 255, (height // 4, width // 4), dtype=np.uint8)).resize((width, height), Image.Resampling.BILINEAR),
                      np.float32) - 127.5
    return np.clip(base + gradient[:, :, None] + 0.15 * fine[:, :, None], 0, 255)


def photo(camera: int | None, seed: int, size: tuple[int, int] = (1024, 1024), quality: int = 92, strength: float = PRNU_STRENGTH,
          noise: float = 1.5) -> bytes:
    """A JPEG photo of scene `seed` taken by simulated `camera` (None: a sensor without PRNU,
    standing for a camera nobody has a fingerprint of), with shot noise of standard deviation
    `noise` grey levels."""
    light = scene(seed, size)
    gain = 1.0 + (sensor_pattern(camera, size, strength)[:, :, None] if camera is not None else 0.0)
    shot = np.random.default_rng(50_000 + seed).normal(0.0, noise, light.shape).astype(np.float32)
    pixels = np.clip(light * gain + shot, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def pixels_of(jpeg: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))
