"""Invisible dwtDct watermarks (the scheme of the `invisible-watermark` library), decoded without it.

Stable Diffusion's reference scripts, diffusers' SDXL pipelines, Stability's generative-models
and the FLUX reference code all stamp a fixed message with `invisible-watermark`'s `dwtDct`
method. That library declares torch and imports it at import time (and needs OpenCV and
PyWavelets), so Clearsight decodes the scheme itself in numpy, step for step, and tests prove the
bits equal to the library's decoder on fixtures the library made (tests/fixtures/watermarks,
with the script that made them), and the Haar step equal to PyWavelets on random input:

1. BGR -> YUV with OpenCV's 8-bit fixed-point arithmetic (14-bit coefficients, rounded);
2. the approximation band of a one-level Haar DWT of the U channel cropped to a multiple of 4;
3. per 4x4 block of the approximation band, in row-major order: the coefficient of largest
   magnitude other than the first; bit = (|c| mod 36) > 18; block n votes for bit n mod length;
4. each bit is the vote average, 1 when average * 255 > 127.

Messages are decided on bit accuracy, not equality: the float pipelines of diffusers and FLUX
lose bits to rounding before the image is even saved (the library's own decoder reads 83-87% of
them back from fixtures it made), and resaving flips more. For an image without the watermark
the decoded bits behave like coin flips, so a message of n bits is reported when at least k
agree, k the smallest count whose binomial tail P(X >= k; n, 1/2), doubled because both channel
orders are tried (diffusers feeds RGB where the library expects BGR), is at most
`MAX_FALSE_POSITIVE`; that probability is stated in each piece of evidence. The thresholds are
(`required_agreement`): 29/32 bits (SDV2), 38/46 (FLUX), 40/48 (SDXL), 94/136 (SD 1.x).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from clearsight.provenance.context import UINT8, ImageContext
from clearsight.provenance.evidence import Evidence, Strength

I32 = npt.NDArray[np.int32]
F64 = npt.NDArray[np.float64]
SCALE = 36
BLOCK = 4
MIN_PIXELS = 256 * 256
"""The library refuses images smaller than this (rows x columns)."""
MAX_PIXELS = 2560 * 2560
"""Larger images are not decoded: the generators that stamp these marks output at most about
2048 x 2048, and any resize destroys the 8x8-pixel block alignment the scheme depends on, so a
bigger image (a camera photo, an upscale) cannot carry a readable mark, and decoding 12 MP costs
most of a second."""
MAX_FALSE_POSITIVE = 1e-5
"""Largest accepted chance that an unmarked image passes for one message (both orders counted)."""
ORDERS = 2
SCREEN_VOTES = 16
"""Votes per bit of the longest message in the screening strip."""
SCREEN_ACCURACY = 0.7


def _bits_of_int(value: int) -> tuple[int, ...]:
    """Bits as `[int(b) for b in bin(value)[2:]]`, which drops leading zeros (hence FLUX's 46 bits)."""
    return tuple(int(bit) for bit in bin(value)[2:])


def _bits_of_bytes(value: bytes) -> tuple[int, ...]:
    return tuple(int(bit) for bit in np.unpackbits(np.frombuffer(value, dtype=np.uint8)))


@dataclass(frozen=True)
class Message:
    name: str
    tool: str
    bits: tuple[int, ...]


MESSAGES = (
    Message("StableDiffusionV1", "Stable Diffusion 1.x reference scripts", _bits_of_bytes(b"StableDiffusionV1")),
    Message("SDV2", "Stable Diffusion 2.x reference scripts", _bits_of_bytes(b"SDV2")),
    Message("SDXL", "Stable Diffusion XL (diffusers)", _bits_of_int(0b101100111110110010010000011110111011000110011110)),
    Message("FLUX", "FLUX or Stability generative-models reference code", _bits_of_int(0b001010101111111010000111100111001111010100101110)),
)


def u_channel(blue: I32, green: I32, red: I32) -> UINT8:
    """The U plane of OpenCV's `cvtColor(BGR2YUV)` on 8-bit input, bit for bit:
    Y = 0.299 R + 0.587 G + 0.114 B and U = 0.492 (B - Y) + 128, in 14-bit fixed point."""
    value = red * 4899
    value += green * 9617
    value += blue * 1868
    value += 1 << 13
    value >>= 14
    np.subtract(blue, value, out=value)
    value *= 8061
    value += (128 << 14) + (1 << 13)
    value >>= 14
    return np.clip(value, 0, 255, out=value).astype(np.uint8)


def u_planes(rgb: UINT8) -> dict[str, UINT8]:
    """U as the library computes it for each channel order: `bgr` is the array as OpenCV loads a
    file; `rgb` is what it computes when handed RGB (as diffusers does), red taken for blue."""
    rows, cols = rgb.shape[0] // 4 * 4, rgb.shape[1] // 4 * 4
    red, green, blue = np.moveaxis(rgb[:rows, :cols, :3], 2, 0).astype(np.int32)
    return {"bgr": u_channel(blue, green, red), "rgb": u_channel(red, green, blue)}


def haar_approximation(plane: UINT8) -> F64:
    """The approximation band of PyWavelets' one-level `dwt2(plane, "haar")`, bit for bit: pairs
    of rows, then pairs of columns, each sum of two products by 1/sqrt(2) rounded as it does."""
    coefficient = 0.7071067811865476
    values = plane.astype(np.float64)
    rows = values[0::2] * coefficient + values[1::2] * coefficient
    approximation: F64 = rows[:, 0::2] * coefficient + rows[:, 1::2] * coefficient
    return approximation


def block_bits(u_plane: UINT8) -> npt.NDArray[np.bool_]:
    """One bit per 4x4 block of the Haar approximation of U, in the library's block order."""
    approx = haar_approximation(u_plane)
    block_rows, block_cols = approx.shape[0] // BLOCK, approx.shape[1] // BLOCK
    grid = approx[: block_rows * BLOCK, : block_cols * BLOCK].reshape(block_rows, BLOCK, block_cols, BLOCK).transpose(0, 2, 1, 3)
    blocks = grid.reshape(-1, BLOCK * BLOCK)
    position = np.argmax(np.abs(blocks[:, 1:]), axis=1) + 1
    value = np.abs(blocks[np.arange(len(blocks)), position])
    result: npt.NDArray[np.bool_] = (value % SCALE) > 0.5 * SCALE
    return result


def decode_bits(per_block: npt.NDArray[np.bool_], length: int) -> npt.NDArray[np.bool_]:
    """The library's majority vote over blocks for a message of `length` bits."""
    index = np.arange(len(per_block)) % length
    sums = np.bincount(index, weights=per_block.astype(np.float64), minlength=length)
    counts = np.bincount(index, minlength=length)
    result: npt.NDArray[np.bool_] = (sums / np.maximum(counts, 1)) * 255 > 127
    return result


def false_positive_probability(length: int, agreeing: int) -> float:
    """P(at least `agreeing` of `length` fair coin flips match): the chance an unmarked image passes."""
    return sum(math.comb(length, k) for k in range(agreeing, length + 1)) / float(2**length)


def required_agreement(length: int) -> int:
    """The fewest agreeing bits that keep the false-positive chance within `MAX_FALSE_POSITIVE`."""
    return next(k for k in range(length // 2, length + 1) if ORDERS * false_positive_probability(length, k) <= MAX_FALSE_POSITIVE)


@dataclass(frozen=True)
class Detection:
    message: Message
    channel_order: str
    accuracy: float
    agreeing: int


def _best(per_order: dict[str, npt.NDArray[np.bool_]], message: Message) -> Detection:
    """The channel order under which the most bits of the message agree."""
    expected = np.array(message.bits, dtype=bool)
    agreeing, order = max((int((decode_bits(bits, len(expected)) == expected).sum()), order) for order, bits in per_order.items())
    return Detection(message, order, agreeing / len(expected), agreeing)


def _screen_rows(rgb: UINT8) -> int | None:
    """Rows of the top strip to screen first, or None when the image is small enough to decode whole.

    The strip holds at least `SCREEN_VOTES` votes per bit of the longest message; because blocks
    are numbered row by row, its block bits are exactly the first ones of the whole image's.
    """
    blocks_per_row = (rgb.shape[1] // 4 * 4 // 2) // BLOCK
    block_rows = (rgb.shape[0] // 4 * 4 // 2) // BLOCK
    needed = -(-SCREEN_VOTES * max(len(m.bits) for m in MESSAGES) // max(blocks_per_row, 1))
    return needed * 2 * BLOCK if needed * 2 <= block_rows else None


def passes_screen(rgb: UINT8) -> bool:
    """Whether some message agrees on `SCREEN_ACCURACY` of its bits in the top strip (always True
    for images small enough to decode whole)."""
    strip = _screen_rows(rgb)
    if strip is None:
        return True
    screened = {order: block_bits(plane) for order, plane in u_planes(rgb[:strip]).items()}
    return any(_best(screened, message).accuracy >= SCREEN_ACCURACY for message in MESSAGES)


def detect(rgb: UINT8) -> list[Detection]:
    """Messages found in an RGB image with at least the required agreement, the best order per message.

    Large images are screened on a top strip first: the full decode, which alone decides, runs
    only when some message agrees on at least `SCREEN_ACCURACY` of its bits there. A real mark
    agrees about as well on a strip as on the whole (the bits it loses are lost everywhere), while
    an unmarked image passes the screen about 3% of the time, so most images cost a fraction.
    """
    if not MIN_PIXELS <= rgb.shape[0] * rgb.shape[1] <= MAX_PIXELS or not passes_screen(rgb):
        return []
    per_order = {order: block_bits(plane) for order, plane in u_planes(rgb).items()}
    found = [_best(per_order, message) for message in MESSAGES]
    return [detection for detection in found if detection.agreeing >= required_agreement(len(detection.message.bits))]


class WatermarkReader:
    name = "watermark"

    def read(self, context: ImageContext) -> list[Evidence]:
        width, height = context.size
        pixels = context.pixels if MIN_PIXELS <= width * height <= MAX_PIXELS else None
        if pixels is None:
            return []
        return [
            Evidence(
                source="watermark",
                strength=Strength.STRONG,
                ai_generated=True,
                tool=found.message.tool,
                claims={
                    "scheme": "invisible-watermark dwtDct",
                    "message": found.message.name,
                    "bits": len(found.message.bits),
                    "bit_accuracy": round(found.accuracy, 4),
                    "channel_order": found.channel_order,
                    "false_positive_probability": ORDERS * false_positive_probability(len(found.message.bits), found.agreeing),
                },
            )
            for found in detect(pixels)
        ]
