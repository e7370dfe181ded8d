"""The chunk list of a PNG read directly: metadata after the pixels without decoding them, and the
pixels alone without the ancillary chunks that stop Pillow.

Pillow reads tEXt, zTXt, iTXt and eXIf chunks that come after the first IDAT only by decoding
every pixel first (`PngImageFile.text`, `getexif()` call `load()`), so a 69-byte PNG whose header
claims 500 gigapixels took gigabytes just to have its EXIF read. Generators often write their
metadata after the pixels, so it cannot simply be skipped: this walks the chunk list instead,
skipping pixel data by its length, and inflates compressed text only up to a byte bound.
CRCs are not checked: a damaged checksum on metadata must not hide it from the analyst.

Pillow also refuses a whole image for one wrong CRC on an ancillary chunk or a zTXt chunk that
inflates past its limit, which browsers and FFmpeg ignore; `pixels_only` rebuilds the file from the
chunks that carry the picture so PDQ still sees what a viewer sees.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class TrailingMetadata:
    """Text chunks by keyword, the raw eXIf payload, and one line per chunk that could not be read."""

    texts: dict[str, str] = field(default_factory=dict)
    exif: bytes | None = None
    problems: list[str] = field(default_factory=list)


def _inflate(data: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, max_bytes + 1)
    if len(out) > max_bytes:
        raise ValueError(f"inflates past {max_bytes:,} bytes")
    return out


def _text_chunk(kind: bytes, body: bytes, max_bytes: int) -> tuple[str, str]:
    keyword, _, rest = body.partition(b"\0")
    key = keyword.decode("latin-1")
    if kind == b"tEXt":
        return key, rest.decode("latin-1")
    if kind == b"zTXt":
        return key, _inflate(rest[1:], max_bytes).decode("latin-1")
    compressed, _method, rest = rest[0], rest[1], rest[2:]
    _language, _, rest = rest.partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    return key, (_inflate(text, max_bytes) if compressed else text).decode("utf-8", errors="replace")


PICTURE_CHUNKS = frozenset({b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"eXIf"})
"""What a viewer needs to show the image the way it is oriented (eXIf carries the orientation)."""


def _chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, body) of each chunk of PNG `data` up to IEND; a truncated list simply ends."""
    offset = len(SIGNATURE)
    while offset + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, offset)
        yield kind, data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IEND":
            return


def pixels_only(data: bytes) -> bytes | None:
    """PNG `data` rebuilt from its picture chunks with fresh CRCs, or None if it is not a PNG."""
    if not data.startswith(SIGNATURE):
        return None
    kept = [
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        for kind, body in _chunks(data)
        if kind in PICTURE_CHUNKS
    ]
    return SIGNATURE + b"".join(kept)


def trailing_metadata(data: bytes, max_bytes: int) -> TrailingMetadata:
    """Text and eXIf chunks after the first IDAT of PNG `data`; each chunk at most `max_bytes`."""
    found = TrailingMetadata()
    if not data.startswith(SIGNATURE):
        return found
    after_pixels = False
    for kind, body in _chunks(data):
        length = len(body)
        if kind == b"IDAT":
            after_pixels = True
        elif after_pixels and kind in (b"tEXt", b"zTXt", b"iTXt"):
            if length > max_bytes:
                found.problems.append(f"a {kind.decode()} chunk of {length:,} bytes is over the limit; not read")
                continue
            try:
                key, value = _text_chunk(kind, body, max_bytes)
            except (ValueError, IndexError, zlib.error) as exc:
                found.problems.append(f"a {kind.decode()} chunk cannot be read: {exc}")
                continue
            found.texts.setdefault(key, value)
        elif after_pixels and kind == b"eXIf" and found.exif is None:
            found.exif = body
    return found
