"""Safe image decoding for perceptual hashing.

The recipe (one for every image, so hashes are comparable across runs and machines):
1. open lazily and refuse images whose header claims more than `max_image_pixels`, before any
   pixel is decoded;
2. ask the decoder for luminance at a reduced size where the format allows it (JPEG's DCT
   scaling via `Image.draft`, which decodes at 1/2, 1/4 or 1/8 without building the full raster,
   and decodes only the Y channel), never smaller than the target;
3. convert to luminance (`L`: 0.299 R + 0.587 G + 0.114 B, the same weights PDQ uses, so PDQ
   sees the luma it would have computed from RGB), then apply the EXIF orientation (turning the
   one-band image, not the four-byte RGB one, and only when the orientation asks for it);
4. resize so the long side is `long_side` pixels (bilinear), if it is longer.

PDQ only looks at luma and box-filters it down to 64x64 itself, so steps 2 to 4 change the hash
by 2 bits at most against a full RGB decode then the same resize (a test keeps it so), while
cutting decode and hashing time several-fold on camera-sized images. Bilinear is kept on
purpose: nearest-neighbour and box resizing were measured at up to 8 and 6 bits off.
"""

from __future__ import annotations

import io
import math
from typing import BinaryIO

import pillow_heif
from PIL import Image, UnidentifiedImageError

from clearsight.config import Limits
from clearsight.errors import ItemError, reason
from clearsight.item import Item
from clearsight.media.png_chunks import pixels_only

pillow_heif.register_heif_opener()
Image.MAX_IMAGE_PIXELS = None
"""Pillow's own bomb check is replaced by the configurable one below, made before any decoding,
which names the size the header claims."""


def target_size(size: tuple[int, int], long_side: int) -> tuple[int, int] | None:
    """The size with the long side scaled down to `long_side`, or None if it is not longer."""
    width, height = size
    scale = long_side / max(width, height)
    if scale >= 1:
        return None
    return math.ceil(width * scale), math.ceil(height * scale)


DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, UnidentifiedImageError)


def decode_luma_for_hashing(item: Item, long_side: int, limits: Limits) -> Image.Image:
    """Decode an image item to luminance (`L`) with its long side at most `long_side`, per the recipe.

    A PNG that Pillow refuses (one bad CRC on an ancillary chunk, a zTXt chunk past Pillow's
    inflate limit) is decoded again from its picture chunks alone, as browsers would show it, so
    damaging a comment chunk does not hide an image from matching."""
    try:
        with item.open() as stream:
            luma = _luma(stream, long_side, limits)
    except ItemError:
        raise
    except DECODE_ERRORS as exc:
        repaired = _picture_chunks(item, limits)
        if repaired is None:
            raise ItemError(f"image cannot be decoded: {reason(exc)}") from None
        try:
            luma = _luma(io.BytesIO(repaired), long_side, limits)
        except DECODE_ERRORS:
            raise ItemError(f"image cannot be decoded: {reason(exc)}") from None
    target = target_size(luma.size, long_side)
    if target is not None:
        luma = luma.resize(target, Image.Resampling.BILINEAR)
    return luma


def decoded_bytes(image: Image.Image) -> int:
    """Memory Pillow takes to decode `image` at its current (drafted) size."""
    width, height = image.size
    per_pixel = 1 if image.mode in ("1", "L", "P") else 4  # RGB is stored as RGBX, 16-bit and float modes in 4 bytes
    return width * height * per_pixel * (2 if image.format == "WEBP" else 1)


def check_decodable(image: Image.Image, limits: Limits) -> None:
    """ItemError when decoding the image (at its current, drafted size) takes more memory than allowed."""
    needed = decoded_bytes(image)
    if needed > limits.max_decode_bytes:
        width, height = image.size
        raise ItemError(f"decoding this {width}x{height} {image.format or ''} image would take {needed // 2**20:,} MiB, over the limit of "
                        f"{limits.max_decode_bytes // 2**20:,} MiB (CLEARSIGHT_MAX_DECODE_BYTES); not decoded")


def _luma(stream: BinaryIO, long_side: int, limits: Limits) -> Image.Image:
    """Steps 1 to 3 of the recipe on one stream."""
    with Image.open(stream) as image:
        width, height = image.size
        if width * height > limits.max_image_pixels:
            raise ItemError(f"image claims {width}x{height} pixels, over the limit of {limits.max_image_pixels} (CLEARSIGHT_MAX_IMAGE_PIXELS)")
        target = target_size(image.size, long_side)
        if target is not None:
            image.draft("L", target)
        check_decodable(image, limits)
        turn = ORIENTATIONS.get(image.getexif().get(ORIENTATION, 1))
        luma = image.convert("L")
        return luma.transpose(turn) if turn is not None else luma


ORIENTATION = 0x0112
ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90,
}
"""EXIF orientation to the turn that shows the image upright (as `ImageOps.exif_transpose` does)."""


def _picture_chunks(item: Item, limits: Limits) -> bytes | None:
    """The item rebuilt by `pixels_only` if it is a PNG small enough to hold, else None."""
    if item.result.mime != "image/png" or item.result.size > limits.max_member_bytes:
        return None
    with item.open() as stream:
        return pixels_only(stream.read())
