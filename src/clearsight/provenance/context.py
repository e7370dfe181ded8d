"""Everything provenance readers look at in one image, read once and within limits.

Readers share one `ImageContext` per item: the container's text chunks (PNG tEXt/zTXt/iTXt,
JPEG comments), EXIF fields (with `UserComment` decoded from its UNICODE, ASCII or JIS forms),
XMP, and, only when a reader asks, the stored pixels (never rotated: watermarks, stealth
metadata and NovelAI signatures live in the pixels as written). Oversized or broken metadata is
reported as unreadable evidence instead of being passed on.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from clearsight.config import Settings
from clearsight.errors import ItemError, reason
from clearsight.item import Item
from clearsight.media.image import DECODE_ERRORS, check_decodable
from clearsight.media.png_chunks import trailing_metadata
from clearsight.provenance.evidence import Evidence, unreadable

EXIF_IFD = 0x8769
EXIF_TAGS = {
    0x010D: "DocumentName",
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x013B: "Artist",
    0x8298: "Copyright",
}
EXIF_SUB_TAGS = {0x9286: "UserComment", 0x927C: "MakerNote"}
_BINARY_INFO = {"exif", "icc_profile", "xmp", "photoshop", "adobe", "jfif", "dpi", "transparency", "gamma", "chromaticity"}
_DECODE_ERRORS = (*DECODE_ERRORS, KeyError, TypeError, IndexError, MemoryError, zlib.error)
"""Pillow's decode errors, and what its metadata and pixel readers raise on a damaged file besides."""

UINT8 = npt.NDArray[np.uint8]


def decode_user_comment(raw: bytes | str) -> str:
    """EXIF UserComment: an 8-byte character-code prefix, then the text.

    UNICODE is UTF-16 in the byte order of the EXIF block, which the prefix does not say; piexif
    (as AUTOMATIC1111 uses it) writes big-endian, other tools little-endian, so the order is
    taken from where the zero bytes of ASCII characters fall.
    """
    if isinstance(raw, str):
        return raw.rstrip("\0")
    prefix, body = raw[:8], raw[8:]
    if prefix == b"UNICODE\0":
        zeros_even = body[0::2].count(0)
        zeros_odd = body[1::2].count(0)
        return body.decode("utf-16-le" if zeros_odd > zeros_even else "utf-16-be", errors="replace").rstrip("\0")
    if prefix == b"JIS\0\0\0\0\0":
        return body.decode("shift_jis", errors="replace").rstrip("\0")
    if prefix in (b"ASCII\0\0\0", b"\0" * 8):
        return body.decode("utf-8", errors="replace").rstrip("\0")
    return raw.decode("utf-8", errors="replace").rstrip("\0")


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return None


@dataclass
class ImageContext:
    """One image's metadata, bounded by `limits.max_metadata_bytes` per field."""

    data: bytes
    settings: Settings
    format: str | None = None
    size: tuple[int, int] = (0, 0)
    texts: dict[str, str] = field(default_factory=dict)
    """`text:<chunk key>` for container text, `exif:<tag name>` for EXIF fields."""
    xmp: bytes | None = None
    problems: list[Evidence] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    """Results readers share, computed once (stealth payloads, decoded watermarks)."""
    _image: Image.Image | None = None
    _pixels: UINT8 | None = None
    """Pixels given directly (a decoded video frame) rather than decoded from `data`."""
    _decoded: Image.Image | None = None
    """The same file's pixels already decoded by the hash stage (`Item.decoded`), if any."""
    pdq: tuple[str, int] | None = None
    """The stored pixels' PDQ and its quality, as the hash stage computed them, if it did."""

    @classmethod
    def of_frame(cls, rgb: UINT8, settings: Settings) -> ImageContext:
        """A context holding only a decoded video frame, for the pixel readers (watermarks)."""
        return cls(data=b"", settings=settings, format="FRAME", size=(rgb.shape[1], rgb.shape[0]), _pixels=rgb)

    @classmethod
    def of_texts(cls, texts: dict[str, str], settings: Settings) -> ImageContext:
        """A context holding only metadata texts (a video container's tags), for the generator readers."""
        context = cls(data=b"", settings=settings, format="CONTAINER")
        for label, value in texts.items():
            context._keep(label, value)
        return context

    @classmethod
    def of(cls, item: Item, settings: Settings) -> ImageContext:
        if item.data is not None:
            data = item.data
        else:
            with item.open() as stream:
                data = stream.read()
        pdq = item.result.hashes.get("pdq")
        context = cls(data=data, settings=settings, _decoded=item.decoded[0] if item.decoded else None,
                      pdq=(pdq, item.result.qualities.get("pdq", 0)) if pdq else None)
        context._read_container()
        return context

    def text(self, key: str) -> str | None:
        """A container text chunk by key (`parameters`, `prompt`, `Comment`...)."""
        return self.texts.get("text:" + key)

    def exif(self, name: str) -> str | None:
        """An EXIF field by tag name (`Software`, `UserComment`...)."""
        return self.texts.get("exif:" + name)

    def _keep(self, label: str, value: str | None) -> None:
        if value is None:
            return
        limit = self.settings.limits.max_metadata_bytes
        if len(value) > limit:
            self.problems.append(
                unreadable("metadata", f"{label} is {len(value):,} characters, over the limit of {limit:,} (CLEARSIGHT_MAX_METADATA_BYTES); not read")
            )
            return
        self.texts[label] = value

    def _read_container(self) -> None:
        try:
            image = Image.open(io.BytesIO(self.data))
            self.format, self.size = image.format, image.size
            info: dict[Any, Any] = dict(image.info)
            if image.format == "PNG":  # Pillow would decode every pixel to reach the chunks after them
                trailing = trailing_metadata(self.data, self.settings.limits.max_metadata_bytes)
                info = trailing.texts | info
                self.problems += [unreadable("metadata", problem) for problem in trailing.problems]
                exif = Image.Exif()
                if raw_exif := info.get("exif") or trailing.exif:
                    exif.load(raw_exif)
            else:
                exif = image.getexif()
        except _DECODE_ERRORS as exc:
            self.problems.append(unreadable("metadata", f"the image container cannot be read: {reason(exc)}"))
            return
        self._image = image
        for key, value in info.items():
            if key not in _BINARY_INFO:
                self._keep(f"text:{key}", _text(value))
        xmp = info.get("xmp")
        if isinstance(xmp, str):
            xmp = xmp.encode("utf-8")
        if isinstance(xmp, bytes):
            if len(xmp) > self.settings.limits.max_metadata_bytes:
                self.problems.append(unreadable("xmp", f"the XMP packet is {len(xmp):,} bytes, over the limit; not read"))
            else:
                self.xmp = xmp
        try:
            for tag, name in EXIF_TAGS.items():
                self._keep("exif:" + name, _text(exif.get(tag)))
            sub = exif.get_ifd(EXIF_IFD)
            for tag, name in EXIF_SUB_TAGS.items():
                raw = sub.get(tag, exif.get(tag))  # Fooocus writes these into the main IFD
                if isinstance(raw, (bytes, str)):
                    self._keep("exif:" + name, decode_user_comment(raw) if name == "UserComment" else _text(raw))
        except _DECODE_ERRORS as exc:
            self.problems.append(unreadable("exif", f"the EXIF block cannot be read: {reason(exc)}"))

    def _stored_mode(self) -> str:
        image = self._image
        assert image is not None
        return "RGBA" if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info) else "RGB"

    def _decodable(self) -> bool:
        """Whether the stored pixels may be decoded: within the pixel and decode-memory limits
        (a refusal is recorded once, as unreadable pixels)."""
        if self._image is None or self.size[0] * self.size[1] > self.settings.limits.max_image_pixels:
            return False
        try:
            check_decodable(self._image, self.settings.limits)
        except ItemError as exc:
            if not any(problem.source == "pixels" for problem in self.problems):
                self.problems.append(unreadable("pixels", str(exc)))
            return False
        return True

    def _stored_pixels(self) -> Image.Image | None:
        """The stored pixels as an RGB or RGBA image, decoded at most once per file: taken from the
        hash stage's decode when it holds them in that mode (or in greyscale, turned to RGB as
        Pillow turns the file's), else decoded here. None (with the problem recorded) if they
        cannot be decoded."""
        if not self._decodable():
            return None
        mode = self._stored_mode()
        decoded = self._decoded
        try:
            if decoded is None or not (decoded.mode == mode or (decoded.mode == "L" and mode == "RGB")):
                assert self._image is not None
                decoded = self._image.convert(mode)
            elif decoded.mode != mode:
                decoded = decoded.convert(mode)
        except _DECODE_ERRORS as exc:
            self.problems.append(unreadable("pixels", f"the pixels cannot be decoded: {reason(exc)}"))
            return None
        self._decoded = decoded
        return decoded

    @cached_property
    def pixels(self) -> UINT8 | None:
        """The stored pixels as an RGB or RGBA array (None if they cannot be decoded)."""
        if self._pixels is not None:
            return self._pixels
        image = self._stored_pixels()
        return None if image is None else np.asarray(image)

    def columns(self, count: int) -> UINT8 | None:
        """The first `count` columns of the stored pixels, RGB or RGBA: what column-major readers
        (stealth LSBs) need, without an array copy of the whole image."""
        if self._pixels is not None:
            return self._pixels[:, :count]
        image = self._stored_pixels()
        return None if image is None else np.asarray(image.crop((0, 0, min(count, image.width), image.height)))
