"""Previews an analyst asks for: greyscale and blurred by default, never larger than needed.

Only files on disk are previewed (an archive member would have to be extracted first, which the
web app does not do yet). Images are decoded under the same pixel limit as the scan.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from clearsight.config import Limits
from clearsight.errors import ItemError, reason
from clearsight.media.contact_sheet import contact_sheet

PREVIEW_SIDE = 512


def _degrade(image: Image.Image, blur: float, greyscale: bool, side: int) -> Image.Image:
    image = ImageOps.exif_transpose(image) or image
    image.thumbnail((side, side))
    image = ImageOps.grayscale(image) if greyscale else image.convert("RGB")
    return image.filter(ImageFilter.GaussianBlur(blur)) if blur > 0 else image


def preview_png(path: str, media_type: str, limits: Limits, blur: float = 12.0, greyscale: bool = True, side: int = PREVIEW_SIDE) -> bytes:
    """A PNG preview of an image, or the contact sheet of a video, degraded as asked, at most `side` pixels across."""
    if not Path(path).is_file():
        raise ItemError("the file is not on disk here (archive members are not previewed yet)")
    if media_type == "video":
        picture = contact_sheet(path, blur=blur, greyscale=greyscale)
        picture.thumbnail((2 * side, 2 * side))  # a grid of frames: each frame stays legible
    else:
        try:
            with Image.open(path) as image:
                if image.size[0] * image.size[1] > limits.max_image_pixels:
                    raise ItemError("the image is over the pixel limit")
                image.load()
                picture = _degrade(image, blur, greyscale, side)
        except (OSError, SyntaxError, ValueError, UnidentifiedImageError) as exc:
            raise ItemError(f"the image cannot be decoded: {reason(exc)}") from None
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()
