"""Safe image decoding for perceptual hashing.

The recipe is the network's: what python-threatexchange's `PdqSignal` (and so HMA) hashes, so
that a hash shared by HMA or NCMEC for an image is the hash computed here for that image.
1. open lazily and refuse images whose header claims more than `max_image_pixels`, or whose
   decoded pixels would take more than `max_decode_bytes`, before any pixel is decoded;
2. decode every pixel, at full size: no reduced decode and no resizing, since PDQ's own filter
   is sized from the image it is given and a smaller image moves the hash (JPEG DCT scaling to
   a 1,024-pixel side was measured at up to 12 bits from the reference on 12 MP photos, a
   bilinear resize to 512 pixels at up to 16; `benchmarks/pdq_agreement.py`);
3. keep RGB and greyscale as they are; other modes are turned to RGB (palette and CMYK images
   included, where HMA hashes the raw palette indices or inks: their colours are what the C++
   reference and every viewer show);
4. do not apply the EXIF orientation (the reference hashes the stored pixels), but report it,
   so the PDQ of the upright picture can be matched too.
Luma is then taken from the decoded rows a band at a time by `hashing.pdq`, with the reference's
weights.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
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


HASHED_MODES = frozenset({"RGB", "RGBA", "L"})
"""Modes whose pixels are hashed as decoded (RGBA's alpha is ignored, as the reference does)."""
ORIENTATION = 0x0112


DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, UnidentifiedImageError, struct.error)
"""What Pillow raises on a damaged file (struct.error from its EXIF reader on a cut-short block)."""


def decode_for_hashing(item: Item, limits: Limits) -> tuple[Image.Image, int]:
    """The item's decoded pixels, in `RGB`, `RGBA` or `L`, and its EXIF orientation (1: upright).

    A PNG that Pillow refuses (one bad CRC on an ancillary chunk, a zTXt chunk past Pillow's
    inflate limit) is decoded again from its picture chunks alone, as browsers would show it, so
    damaging a comment chunk does not hide an image from matching. The pixels of a file decoded
    as it is are kept on the item (`Item.decoded`) for the later stages; repaired ones are not,
    since those stages read the file as it is and report what they cannot decode."""
    if item.decoded is not None:
        return item.decoded
    try:
        with item.open() as stream:
            item.decoded = _decoded(stream, limits)
            return item.decoded
    except ItemError:
        raise
    except DECODE_ERRORS as exc:
        repaired = _picture_chunks(item, limits)
        if repaired is None:
            raise ItemError(f"image cannot be decoded: {reason(exc)}") from None
        try:
            return _decoded(io.BytesIO(repaired), limits)
        except DECODE_ERRORS:
            raise ItemError(f"image cannot be decoded: {reason(exc)}") from None


def decoded_bytes(image: Image.Image) -> int:
    """Memory Pillow takes to decode `image` for hashing, the RGB copy of other modes included."""
    width, height = image.size
    per_pixel = 1 if image.mode in ("1", "L", "P") else 4  # RGB is stored as RGBX, 16-bit and float modes in 4 bytes
    if image.mode not in HASHED_MODES:
        per_pixel += 4
    return width * height * per_pixel * (2 if image.format == "WEBP" else 1)


def check_decodable(image: Image.Image, limits: Limits) -> None:
    """ItemError when decoding the image takes more memory than allowed."""
    needed = decoded_bytes(image)
    if needed > limits.max_decode_bytes:
        width, height = image.size
        raise ItemError(f"decoding this {width}x{height} {image.format or ''} image would take {needed // 2**20:,} MiB, over the limit of "
                        f"{limits.max_decode_bytes // 2**20:,} MiB (CLEARSIGHT_MAX_DECODE_BYTES); not decoded")


def stored_rgb(path: str | Path, limits: Limits) -> Image.Image:
    """A file's stored pixels as RGB, not turned by its EXIF orientation (the order a sensor
    wrote them in), within the pixel and decode-memory limits; ItemError says why not."""
    if not Path(path).is_file():
        raise ItemError("not on disk")
    try:
        with Image.open(path) as image:
            if image.width * image.height > limits.max_image_pixels:
                raise ItemError(f"image claims {image.width}x{image.height} pixels, over the limit of {limits.max_image_pixels} (CLEARSIGHT_MAX_IMAGE_PIXELS)")
            check_decodable(image, limits)
            return image.convert("RGB")
    except DECODE_ERRORS as exc:
        raise ItemError(f"image cannot be decoded: {reason(exc)}") from exc


def _decoded(stream: BinaryIO, limits: Limits) -> tuple[Image.Image, int]:
    """Steps 1 to 3 of the recipe on one stream, and the orientation. (Not `with Image.open`:
    closing would free the pixels returned; the caller owns the stream.)"""
    image = Image.open(stream)
    width, height = image.size
    if width * height > limits.max_image_pixels:
        raise ItemError(f"image claims {width}x{height} pixels, over the limit of {limits.max_image_pixels} (CLEARSIGHT_MAX_IMAGE_PIXELS)")
    check_decodable(image, limits)
    orientation = image.getexif().get(ORIENTATION, 1)
    image.load()
    return (image if image.mode in HASHED_MODES else image.convert("RGB")), orientation if isinstance(orientation, int) else 1


def _picture_chunks(item: Item, limits: Limits) -> bytes | None:
    """The item rebuilt by `pixels_only` if it is a PNG small enough to hold, else None."""
    if item.result.mime != "image/png" or item.result.size > limits.max_member_bytes:
        return None
    with item.open() as stream:
        return pixels_only(stream.read())
