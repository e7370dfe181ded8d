"""The few EXIF fields the authenticity readers compare, read from the raw TIFF block within bounds.

`ImageContext` keeps EXIF text fields for the generator readers; the consistency checks also need
the raw MakerNote bytes, the timestamps with their offsets, the orientation and the embedded
thumbnail of IFD1, which Pillow reads only in part. This reader follows IFD0, the Exif IFD and
IFD1 only, at most MAX_ENTRIES entries each, and reports a broken part as a problem.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

MAX_ENTRIES = 512
"""Entries read from one IFD: cameras write well under 100; more means garbage."""
_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
EXIF_POINTER = 0x8769
THUMBNAIL_OFFSET, THUMBNAIL_LENGTH = 0x0201, 0x0202
Value = str | bytes | int


@dataclass
class TiffExif:
    """IFD0, the Exif IFD and IFD1 by tag, with ASCII as text, BYTE/UNDEFINED as bytes and
    integers as their first value; the thumbnail is IFD1's JPEG, None when absent or broken."""

    ifd0: dict[int, Value] = field(default_factory=dict)
    exif: dict[int, Value] = field(default_factory=dict)
    ifd1: dict[int, Value] = field(default_factory=dict)
    thumbnail: bytes | None = None
    little_endian: bool = False
    problems: list[str] = field(default_factory=list)

    def text(self, tag: int, ifd: str = "ifd0") -> str | None:
        value = getattr(self, ifd).get(tag)
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        if isinstance(value, str):
            return value.rstrip("\0 ").strip() or None
        return None


def _value(data: bytes, order: str, kind: int, count: int, field_bytes: bytes) -> Value | None:
    size = _SIZES.get(kind, 0) * count
    if size == 0:
        return None
    if size > 4:
        offset = struct.unpack(order + "I", field_bytes)[0]
        if offset + size > len(data):
            raise ValueError("a value points past the end of the EXIF block")
        raw = data[offset : offset + size]
    else:
        raw = field_bytes[:size]
    if kind == 2:
        return raw.split(b"\0", 1)[0].decode("utf-8", errors="replace")
    if kind in (1, 6, 7):
        return raw
    if kind in (3, 8):
        return int(struct.unpack(order + ("H" if kind == 3 else "h"), raw[:2])[0])
    if kind in (4, 9):
        return int(struct.unpack(order + ("I" if kind == 4 else "i"), raw[:4])[0])
    return None


def _ifd(data: bytes, order: str, offset: int) -> tuple[dict[int, Value], int]:
    """The entries of the IFD at `offset`, and the offset of the next IFD (0 for none)."""
    if offset < 8 or offset + 2 > len(data):
        raise ValueError(f"an IFD offset ({offset:,}) is outside the EXIF block")
    count = struct.unpack(order + "H", data[offset : offset + 2])[0]
    if count > MAX_ENTRIES or offset + 2 + 12 * count > len(data):
        raise ValueError(f"an IFD claims {count:,} entries, more than the EXIF block holds")
    entries: dict[int, Value] = {}
    for start in range(offset + 2, offset + 2 + 12 * count, 12):
        tag, kind, number = struct.unpack(order + "HHI", data[start : start + 8])
        try:
            value = _value(data, order, kind, number, data[start + 8 : start + 12])
        except ValueError:
            continue  # one broken entry: the others are still read
        if value is not None:
            entries[tag] = value
    tail = offset + 2 + 12 * count
    following = struct.unpack(order + "I", data[tail : tail + 4])[0] if tail + 4 <= len(data) else 0
    return entries, following


def read_tiff(data: bytes) -> TiffExif:
    """The EXIF TIFF block `data` (without the `Exif\\0\\0` prefix); never raises."""
    out = TiffExif()
    if data[:6] == b"Exif\0\0":
        data = data[6:]
    if data[:4] not in (b"II*\0", b"MM\0*"):
        out.problems.append("the EXIF block has no TIFF header")
        return out
    order = "<" if data[:2] == b"II" else ">"
    out.little_endian = order == "<"
    try:
        out.ifd0, next_ifd = _ifd(data, order, struct.unpack(order + "I", data[4:8])[0])
    except (ValueError, struct.error) as exc:
        out.problems.append(f"IFD0 cannot be read: {exc}")
        return out
    pointer = out.ifd0.get(EXIF_POINTER)
    if isinstance(pointer, int):
        try:
            out.exif, _ = _ifd(data, order, pointer)
        except (ValueError, struct.error) as exc:
            out.problems.append(f"the Exif IFD cannot be read: {exc}")
    if next_ifd:
        try:
            out.ifd1, _ = _ifd(data, order, next_ifd)
        except (ValueError, struct.error) as exc:
            out.problems.append(f"IFD1 (the thumbnail's) cannot be read: {exc}")
    start, length = out.ifd1.get(THUMBNAIL_OFFSET), out.ifd1.get(THUMBNAIL_LENGTH)
    if isinstance(start, int) and isinstance(length, int) and length > 0:
        if start + length > len(data):
            out.problems.append("the thumbnail runs past the end of the EXIF block")
        else:
            out.thumbnail = data[start : start + length]
    return out
