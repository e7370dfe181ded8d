"""Noise residuals: what is left of a photograph once its scene is filtered away, where a camera
sensor's fingerprint (PRNU, photo-response non-uniformity) lives.

The method is the standard one of Lukáš, Fridrich and Goljan ("Digital camera identification from
sensor pattern noise", IEEE TIFS 2006) as the Binghamton camera-fingerprint toolbox implements it,
followed step by step as Politecnico di Milano ISPL's open `prnu-python` ports it (Bondi, Bestagini,
Bonettini, MIT licence, github.com/polimi-ispl/prnu-python): per colour channel, a 4-level `db4`
wavelet decomposition whose detail coefficients are Wiener-shrunk with the smallest local variance
over 3, 5, 7 and 9-wide windows (noise power sigma 5), the approximation zeroed; the channels
weighed to grey; each of the four 2x2 colour-filter phases made zero-mean by rows and columns; and
a Wiener filter in the Fourier domain against periodic artefacts (JPEG blocks, row readout).

Written with numpy and PyWavelets only: the local-variance windows are box sums over one integral
image instead of SciPy's `uniform_filter`, and the minimum over windows is taken before the
threshold (the threshold is monotone, so the result is the same), which avoids a SciPy dependency
and a 4-deep stack per sub-band.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pywt

FLOAT = npt.NDArray[np.float32]
UINT8 = npt.NDArray[np.uint8]

WAVELET = "db4"
LEVELS = 4
SIGMA = 5.0
"""The noise power assumed by the wavelet denoiser, as the toolbox and prnu-python take it."""
WINDOWS = (3, 5, 7, 9)
GREY_WEIGHTS = np.asarray([0.29893602, 0.58704307, 0.11402090], np.float32)
"""The toolbox's RGB to grey weights (MATLAB's rgb2gray)."""


def _box_means(x: FLOAT, sizes: tuple[int, ...]) -> list[FLOAT]:
    """Means of `x` over square windows of each odd size, zeros outside the array (SciPy's
    `uniform_filter(mode="constant")`), from one integral image."""
    pad = max(sizes) // 2
    height, width = x.shape
    integral = np.zeros((height + 2 * pad + 1, width + 2 * pad + 1), np.float64)
    integral[1:, 1:] = np.pad(x.astype(np.float64), pad).cumsum(0).cumsum(1)
    means = []
    for size in sizes:
        y0 = x0 = pad - size // 2
        a = integral[y0 + size : y0 + size + height, x0 + size : x0 + size + width]
        b = integral[y0 : y0 + height, x0 + size : x0 + size + width]
        c = integral[y0 + size : y0 + size + height, x0 : x0 + width]
        d = integral[y0 : y0 + height, x0 : x0 + width]
        means.append(((a - b - c + d) / (size * size)).astype(np.float32))
    return means


def wiener_adaptive(x: FLOAT, noise_var: float) -> FLOAT:
    """The toolbox's WaveNoise: shrink each coefficient by the smallest local signal variance
    over the windows, so edges keep their scene energy and flat areas give up their noise."""
    energy: FLOAT = np.minimum.reduce(_box_means(x * x, WINDOWS))
    signal_var = np.maximum(energy - noise_var, 0.0)
    shrunk: FLOAT = (x * (noise_var / (signal_var + noise_var))).astype(np.float32)
    return shrunk


def noise_extract(image: UINT8, sigma: float = SIGMA, levels: int = LEVELS) -> FLOAT:
    """The wavelet-denoising residual of each channel (height x width x channels, float32)."""
    pixels = image.astype(np.float32)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    height, width, channels = pixels.shape
    levels = min(levels, pywt.dwt_max_level(min(height, width), pywt.Wavelet(WAVELET).dec_len))
    if levels < 1:
        raise ValueError(f"a picture of {width}x{height} is too small for a sensor-noise residual")
    residual = np.zeros(pixels.shape, np.float32)
    noise_var = sigma**2
    for channel in range(channels):
        coefficients = pywt.wavedec2(pixels[:, :, channel], WAVELET, level=levels)
        filtered: list[object] = [np.zeros_like(coefficients[0])]
        filtered += [tuple(wiener_adaptive(band.astype(np.float32), noise_var) for band in detail) for detail in coefficients[1:]]
        residual[:, :, channel] = pywt.waverec2(filtered, WAVELET)[:height, :width]
    return residual


def to_grey(x: FLOAT) -> FLOAT:
    """Channels weighed to one plane as the toolbox does (a plane stays as it is)."""
    if x.ndim == 2:
        return x.astype(np.float32)
    if x.shape[2] == 1:
        return x[:, :, 0].astype(np.float32)
    return (x[:, :, :3] @ GREY_WEIGHTS).astype(np.float32)


def zero_mean(x: FLOAT) -> FLOAT:
    """Remove the mean, then every row's and column's mean (the toolbox's ZeroMean 'both')."""
    x = x - x.mean()
    x = x - x.mean(axis=1, keepdims=True)
    centred: FLOAT = (x - x.mean(axis=0, keepdims=True)).astype(np.float32)
    return centred


def zero_mean_total(x: FLOAT) -> FLOAT:
    """Zero-mean each of the four 2x2 colour-filter phases separately (ZeroMeanTotal), which
    removes the linear patterns demosaicing leaves."""
    out = x.copy()
    for dy in (0, 1):
        for dx in (0, 1):
            out[dy::2, dx::2] = zero_mean(x[dy::2, dx::2])
    return out


def wiener_dft(x: FLOAT, sigma: float) -> FLOAT:
    """Wiener-filter the Fourier magnitudes against their own spread: peaks that many images of
    any camera share (JPEG's 8x8 grid, sensor readout) are flattened, the random PRNU kept."""
    height, width = x.shape
    spectrum = np.fft.fft2(x)
    magnitude = (np.abs(spectrum) / np.sqrt(height * width)).astype(np.float32)
    kept = wiener_adaptive(magnitude, sigma**2)
    zero = magnitude == 0
    scale = np.where(zero, 0.0, kept / np.where(zero, 1.0, magnitude))
    return np.real(np.fft.ifft2(spectrum * scale)).astype(np.float32)


def residual(image: UINT8) -> FLOAT:
    """One image's residual ready to correlate (prnu-python's `extract_single`)."""
    w = zero_mean_total(to_grey(noise_extract(image)))
    return wiener_dft(w, float(w.std(ddof=1)))


def intensity(image: UINT8) -> FLOAT:
    """The grey intensity in [0, 1] that the fingerprint is multiplied by (W = I K + noise)."""
    return to_grey(image.astype(np.float32) / 255.0)
