"""Testing an image against a camera fingerprint: the peak-to-correlation energy (PCE).

An image from the camera carries W = I K + noise, where W is its residual, I its intensity and K
the fingerprint. So W I is cross-correlated with K over every placement the image could have on
the sensor: for each of the four right-angle rotations whose picture fits inside the fingerprint,
every offset a crop leaves (an uncropped image has one, at the origin). PCE is the square of the
highest correlation among those placements over the mean square of the correlation elsewhere
(Goljan, Fridrich and Filler, "Large scale test of sensor fingerprint camera identification",
SPIE 2009), away from an 11 x 11 neighbourhood of the peak.

Under the hypothesis that the image is from another camera, the correlation at each placement is
close to Gaussian, so PCE at one placement exceeds tau with probability Q(sqrt(tau)); the
threshold is set so that, over every placement tried, the chance of a false match is the stated
rate (Neyman-Pearson, as in that paper), and never below 60, the threshold the Binghamton toolbox
and the literature use. What it does not handle: images resized or warped after capture (the
pattern no longer lines up), and heavy compression or filtering that washes the pattern out; a
miss never shows that a camera did not take the image.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from clearsight.cameras.residual import FLOAT, UINT8, intensity, residual

FALSE_MATCH_RATE = 1e-6
"""The default chance that an image from another camera is linked to a given camera."""
MIN_PCE = 60.0
NEIGHBOURHOOD = 5
"""Half the side of the square around the peak left out of the correlation energy."""
MAX_CROP = 0.5
"""The largest share of the fingerprint's width or height a crop may remove and still be tested:
a smaller image has too few pixels for a reliable test and too many placements."""


@dataclass(frozen=True)
class Placement:
    """Where an image lies on the camera's sensor, as the test found it."""

    rotation: int
    """Quarter turns (counter-clockwise) of the image that line it up with the fingerprint."""
    offset: tuple[int, int]
    """(rows, columns) from the sensor's top left corner to the image's."""


@dataclass(frozen=True)
class CameraTest:
    """One image tested against one camera."""

    camera: str
    pce: float
    threshold: float
    placement: Placement

    @property
    def decision(self) -> str:
        return "match" if self.pce >= self.threshold else "no match"

    def link(self) -> dict[str, object]:
        """The `camera_links` entry of the provenance record."""
        return {"camera": self.camera, "pce": round(self.pce, 1), "decision": self.decision}


def threshold(placements: int, false_match_rate: float = FALSE_MATCH_RATE) -> float:
    """The PCE above which a match is declared, for this many placements tried."""
    per_placement = false_match_rate / max(placements, 1)
    z = -NormalDist().inv_cdf(per_placement)
    return max(MIN_PCE, z * z)


@dataclass
class Probe:
    """An image prepared once for testing against every camera: W I, zero-mean."""

    signal: FLOAT

    @classmethod
    def of(cls, image: UINT8) -> Probe:
        signal = residual(image) * intensity(image)
        return cls((signal - signal.mean()).astype(np.float32))


@dataclass
class Fingerprint:
    """A camera's fingerprint with its spectrum, computed once per process."""

    name: str
    pattern: FLOAT
    _spectrum: np.ndarray | None = None

    @property
    def spectrum(self) -> np.ndarray:
        if self._spectrum is None:
            centred = self.pattern - self.pattern.mean()
            self._spectrum = np.fft.rfft2(centred)
        return self._spectrum

    def _fits(self, shape: tuple[int, ...]) -> bool:
        height, width = self.pattern.shape
        return bool(height * (1 - MAX_CROP) <= shape[0] <= height and width * (1 - MAX_CROP) <= shape[1] <= width)

    def test(self, probe: Probe, false_match_rate: float = FALSE_MATCH_RATE) -> CameraTest | None:
        """The best placement's PCE, or None when the image fits no placement on this sensor."""
        height, width = self.pattern.shape
        best: tuple[float, Placement] | None = None
        placements = 0
        for rotation in range(4):
            signal = np.rot90(probe.signal, rotation)
            if not self._fits(signal.shape):
                continue
            rows, columns = height - signal.shape[0] + 1, width - signal.shape[1] + 1
            placements += rows * columns
            correlation = np.fft.irfft2(self.spectrum * np.conj(np.fft.rfft2(signal, s=(height, width))), s=(height, width))  # rfft2 zero-pads to s
            window = correlation[:rows, :columns]
            y, x = np.unravel_index(int(np.argmax(window)), window.shape)
            pce = _pce(correlation, int(y), int(x))
            if best is None or pce > best[0]:
                best = (pce, Placement(rotation, (int(y), int(x))))
        if best is None:
            return None
        return CameraTest(self.name, best[0], threshold(placements, false_match_rate), best[1])


def compare(image: UINT8, cameras: Iterable[Fingerprint], false_match_rate: float = FALSE_MATCH_RATE) -> list[CameraTest]:
    """The image (stored pixels, RGB) tested against each camera its size fits, best PCE first."""
    probe = Probe.of(image)
    tests = [test for camera in cameras if (test := camera.test(probe, false_match_rate)) is not None]
    return sorted(tests, key=lambda test: -test.pce)


def _pce(correlation: np.ndarray, y: int, x: int) -> float:
    """Signed peak energy over the mean energy outside the peak's neighbourhood (wrapping round,
    as the circular correlation does)."""
    peak = float(correlation[y, x])
    height, width = correlation.shape
    rows = np.arange(y - NEIGHBOURHOOD, y + NEIGHBOURHOOD + 1) % height
    columns = np.arange(x - NEIGHBOURHOOD, x + NEIGHBOURHOOD + 1) % width
    total = float(np.square(correlation, dtype=np.float64).sum())
    near = float(np.square(correlation[np.ix_(rows, columns)], dtype=np.float64).sum())
    floor = (total - near) / (correlation.size - len(np.unique(rows)) * len(np.unique(columns)))
    return float(np.sign(peak) * peak * peak / floor) if floor > 0 else 0.0
