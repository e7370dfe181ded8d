"""A camera's sensor fingerprint from reference photographs of the seized device.

The maximum-likelihood estimate of Chen, Fridrich, Goljan and Lukáš ("Determining image origin
and integrity using sensor noise", IEEE TIFS 2008), as prnu-python's `extract_multiple_aligned`
computes it: K = sum(W_i I_i) / (sum(I_i^2) + 1) per channel, where W_i is a photo's residual and
I_i its intensity, attenuated where the sensor saturates (clipped highlights carry no PRNU); then
grey, zero-mean per colour-filter phase and Wiener-filtered in the Fourier domain. Photos are added
one at a time, so memory stays at two sums whatever the number of photos.

One departure, on purpose: where some channel of a photo saturates, prnu-python also gives weight
0 to every textured pixel of the channels that do not (its map is inverted for them), so a photo
with one clipped highlight loses most of its other channels; here only saturated pixels are left
out. Without saturation the two agree to 1e-6 (tests/cameras/test_prnu_python_files.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from clearsight.cameras.residual import FLOAT, UINT8, noise_extract, to_grey, wiener_dft, zero_mean_total

SATURATION_LEVEL = 250
"""Channels whose maximum passes this may be clipped; flat runs at that maximum are saturated."""
INTENSITY_KNEE = 252.0
INTENSITY_WIDTH = 6.0


def intensity_weight(image: UINT8) -> FLOAT:
    """The toolbox's IntenScale: linear in the intensity, falling off sharply near white."""
    x = image.astype(np.float32)
    return np.where(x < INTENSITY_KNEE, x / INTENSITY_KNEE, np.exp(-((x - INTENSITY_KNEE) ** 2) / INTENSITY_WIDTH)).astype(np.float32)


def unsaturated(image: UINT8) -> FLOAT:
    """1 where a pixel carries sensor noise, 0 where it is clipped: at its channel's maximum
    (above 250) with a neighbour of the same value (the toolbox's Saturation map)."""
    pixels = image if image.ndim == 3 else image[:, :, None]
    mask = np.ones(pixels.shape, np.float32)
    if pixels.max() < SATURATION_LEVEL:
        return mask
    x = pixels.astype(np.int16)
    horizontal = x - np.roll(x, 1, axis=1)
    vertical = x - np.roll(x, 1, axis=0)
    textured = (horizontal != 0) & (vertical != 0) & (np.roll(horizontal, -1, axis=1) != 0) & (np.roll(vertical, -1, axis=0) != 0)
    for channel in range(pixels.shape[2]):
        top = pixels[:, :, channel].max()
        if top > SATURATION_LEVEL:
            mask[:, :, channel] = ~((pixels[:, :, channel] == top) & ~textured[:, :, channel])
    return mask


@dataclass
class FingerprintBuilder:
    """Sums of residuals and intensities over a camera's reference photos, all of one size."""

    shape: tuple[int, ...] | None = None
    photos: int = 0
    _weighted: FLOAT | None = field(default=None, repr=False)
    _energy: FLOAT | None = field(default=None, repr=False)

    def add(self, image: UINT8) -> None:
        """Add one photo (stored pixels, height x width x RGB); a photo of another size than the
        first raises ValueError, since PRNU is a per-pixel pattern."""
        pixels = image if image.ndim == 3 else image[:, :, None]
        if self.shape is not None and pixels.shape[:2] != self.shape[:2]:
            raise ValueError(f"the photo is {pixels.shape[1]}x{pixels.shape[0]}, the camera's other photos {self.shape[1]}x{self.shape[0]}")
        weighted = noise_extract(pixels) * (pixels.astype(np.float32) / 255.0)
        energy = (intensity_weight(pixels) * unsaturated(pixels)) ** 2
        if self._weighted is None or self._energy is None:
            self.shape, self._weighted, self._energy = pixels.shape, weighted, energy
        else:
            if pixels.shape[2] != self._weighted.shape[2]:
                raise ValueError("the photo has another number of colour channels than the camera's other photos")
            self._weighted += weighted
            self._energy += energy
        self.photos += 1

    def fingerprint(self) -> FLOAT:
        """The camera's fingerprint K (height x width, float32)."""
        if self._weighted is None or self._energy is None:
            raise ValueError("no reference photo was added")
        k = zero_mean_total(to_grey(self._weighted / (self._energy + 1.0)))
        return wiener_dft(k, float(k.std(ddof=1)))
