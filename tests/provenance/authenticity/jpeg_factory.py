"""Benign synthetic JPEGs laid out as a camera, Pillow and Photoshop write them, built with Pillow and piexif."""

from __future__ import annotations

import io
import struct
from typing import Any

import numpy as np
import piexif
from PIL import Image

from clearsight.config import Settings
from clearsight.provenance.context import ImageContext
from tests.provenance_factory import item_of

CAMERA_LIKE_TABLES = [
    [1, 1, 1, 2, 2, 4, 5, 6, 1, 1, 1, 2, 3, 5, 6, 6, 1, 1, 2, 2, 4, 6, 7, 6, 1, 2, 2, 3, 5, 8, 8, 6,
     2, 2, 4, 6, 7, 11, 10, 8, 3, 4, 6, 7, 9, 11, 12, 10, 5, 7, 8, 9, 11, 13, 13, 11, 8, 10, 10, 11, 12, 11, 11, 11],
    [1, 2, 2, 5, 10, 10, 10, 10, 2, 2, 3, 7, 10, 10, 10, 10, 2, 3, 6, 10, 10, 10, 10, 10, 5, 7, 10, 10, 10, 10, 10, 10] + [10] * 32,
]
"""Tables no IJG quality gives (made up for the tests, not any real camera's)."""
PHOTOSHOP_LIKE_TABLES = [
    [6, 4, 4, 6, 9, 11, 12, 16, 4, 5, 5, 6, 8, 10, 12, 12, 4, 5, 5, 6, 10, 12, 12, 12, 6, 6, 6, 11, 12, 12, 12, 12,
     9, 8, 10, 12, 12, 12, 12, 12, 11, 10, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 16, 12, 12, 12, 12, 12, 12, 12],
    [7, 7, 13, 24, 20, 20, 17, 17, 7, 12, 16, 14, 14, 12, 12, 12, 13, 16, 14, 14, 12, 12, 12, 12, 24, 14, 14, 12, 12, 12, 12, 12] + [12] * 32,
]
"""Flat-topped tables in the manner of Photoshop's, not equal to any IJG quality or Pillow preset."""


CANON_LIKE_NOTE = b"\x00\x02" + b"\x00\x01\x00\x03\x00\x00\x00\x01\x00\x00\x00\x00" * 2 + bytes(4)
"""A maker note shaped as Canon's: a big-endian IFD (piexif writes big-endian EXIF) of two entries."""


def picture(seed: int = 1, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """Textured noise: smooth blobs plus grain, so PDQ has detail to hash."""
    rng = np.random.default_rng(seed)
    coarse = Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)).resize(size, Image.Resampling.BICUBIC)
    grain = rng.integers(-8, 9, (size[1], size[0], 3))
    return Image.fromarray(np.clip(np.asarray(coarse).astype(int) + grain, 0, 255).astype(np.uint8))


def jpeg(image: Image.Image, **save: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **save)
    return buffer.getvalue()


def segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def without_jfif(data: bytes) -> bytes:
    """The JPEG without the JFIF APP0 segment libjpeg writes first, as camera firmware omits it."""
    assert data[2:4] == b"\xff\xe0"
    length = struct.unpack(">H", data[4:6])[0]
    return data[:2] + data[4 + length :]


def with_segments(data: bytes, *segments: bytes) -> bytes:
    """The JPEG with `segments` inserted straight after SOI."""
    return data[:2] + b"".join(segments) + data[2:]


def exif_block(make: bytes | None = b"Canon", model: bytes | None = b"Canon EOS R6", maker_note: bytes | None = CANON_LIKE_NOTE,
               thumbnail: bytes | None = None, zeroth: dict[int, Any] | None = None, exif: dict[int, Any] | None = None) -> bytes:
    """EXIF as camera firmware writes it (maker, model, maker note, capture time, IFD1 thumbnail)."""
    ifd0: dict[int, Any] = {piexif.ImageIFD.Software: b"Firmware 1.8.1", piexif.ImageIFD.DateTime: b"2024:05:01 10:00:00"}
    if make is not None:
        ifd0[piexif.ImageIFD.Make] = make
    if model is not None:
        ifd0[piexif.ImageIFD.Model] = model
    sub: dict[int, Any] = {piexif.ExifIFD.DateTimeOriginal: b"2024:05:01 10:00:00", piexif.ExifIFD.DateTimeDigitized: b"2024:05:01 10:00:00"}
    if maker_note is not None:
        sub[piexif.ExifIFD.MakerNote] = maker_note
    block: dict[str, Any] = {"0th": ifd0 | (zeroth or {}), "Exif": sub | (exif or {})}
    if thumbnail is not None:
        block["1st"] = {piexif.ImageIFD.XResolution: (72, 1), piexif.ImageIFD.YResolution: (72, 1)}
        block["thumbnail"] = thumbnail
    return bytes(piexif.dump(block))


def thumbnail_of(image: Image.Image) -> bytes:
    small = image.copy()
    small.thumbnail((160, 160))
    return jpeg(small, quality=75)


def camera_jpeg(seed: int = 1, thumbnail_seed: int | None = None, tables: Any = None, **exif: Any) -> bytes:
    """A camera-like JPEG: EXIF first, no JFIF, non-IJG tables, Annex K Huffman tables, maker note,
    and the embedded thumbnail of the same picture (or of picture `thumbnail_seed`)."""
    image = picture(seed)
    thumb = thumbnail_of(picture(thumbnail_seed) if thumbnail_seed is not None else image)
    return without_jfif(jpeg(image, qtables=tables or CAMERA_LIKE_TABLES, exif=exif_block(thumbnail=thumb, **exif)))


def photoshop_jpeg(seed: int = 1) -> bytes:
    """A Photoshop-like JPEG: Photoshop's APP13 (an IPTC resource block) and Adobe's APP14 with
    flat-topped non-IJG tables."""
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" + struct.pack(">I", 0)
    adobe = b"Adobe" + struct.pack(">HHHB", 100, 0, 0, 1)
    return with_segments(jpeg(picture(seed), qtables=PHOTOSHOP_LIKE_TABLES), segment(0xED, b"Photoshop 3.0\0" + resource), segment(0xEE, adobe))


def context_of(data: bytes) -> ImageContext:
    return ImageContext.of(item_of(data), Settings())
