"""Benign test media made on the fly: synthetic pictures in any format, crafted headers."""

from __future__ import annotations

import io
import struct
import zlib

from clearsight.demo.corpus import synthetic_image


def image_bytes(fmt: str, seed: int = 1, size: tuple[int, int] = (320, 240), **save: object) -> bytes:
    buffer = io.BytesIO()
    image = synthetic_image(seed, size)
    if fmt == "GIF":
        image = image.convert("P")
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims the given size (a decompression-bomb probe)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(b"\0" * 16)) + _png_chunk(b"IEND", b"")
