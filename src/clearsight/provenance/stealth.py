"""Stealth metadata: parameters hidden in the least significant bits of the pixels.

AUTOMATIC1111's stealth-pnginfo extension and NovelAI write the same layout so that metadata
survives tools that strip PNG chunks: pixels are visited column by column (x outer, y inner);
the LSB stream of the alpha channel (one bit per pixel) or of R, G and B (three bits per pixel)
holds a 15-byte signature, a 32-bit big-endian payload length in bits, then the payload, which
is gzip-compressed for the `...comp` signatures. Only lossless images can carry it.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from clearsight.provenance.context import UINT8, ImageContext
from clearsight.provenance.evidence import Evidence, Strength, unreadable

SIGNATURES = {
    "alpha": {b"stealth_pnginfo": False, b"stealth_pngcomp": True},
    "rgb": {b"stealth_rgbinfo": False, b"stealth_rgbcomp": True},
}
"""Per channel set: signature -> whether the payload is gzip-compressed."""
SIGNATURE_BITS = 15 * 8
LENGTH_BITS = 32
LOSSLESS_FORMATS = {"PNG", "WEBP", "TIFF", "BMP"}
_CACHE_KEY = "stealth"


@dataclass(frozen=True)
class Payload:
    signature: str
    channel: str
    text: str | None
    error: str | None = None


def _bit_stream(pixels: UINT8, channel: str) -> UINT8:
    """The LSBs in the order the writers use: column-major pixels, R G B within a pixel."""
    columns = np.ascontiguousarray(pixels.transpose(1, 0, 2))
    planes = columns[..., 3:4] if channel == "alpha" else columns[..., :3]
    return np.bitwise_and(planes, np.uint8(1)).reshape(-1)


def _decode(bits_of: Callable[[int], UINT8], capacity: int, channel: str, max_bytes: int) -> Payload | None:
    """A payload from the LSB stream, reading only as many bits as it needs (`bits_of(n)` gives
    at least the first n bits of the `capacity` the image holds)."""
    start = SIGNATURE_BITS + LENGTH_BITS
    if capacity < start:
        return None
    head = bits_of(start)
    signature = np.packbits(head[:SIGNATURE_BITS]).tobytes()
    compressed = SIGNATURES[channel].get(signature)
    if compressed is None:
        return None
    name = signature.decode("ascii")
    length = int.from_bytes(np.packbits(head[SIGNATURE_BITS:start]).tobytes(), "big")
    if length > capacity - start:
        return Payload(name, channel, None, f"claims {length:,} bits of payload but the image holds {capacity - start:,}")
    if length // 8 > max_bytes:
        return Payload(name, channel, None, f"payload of {length // 8:,} bytes is over the limit of {max_bytes:,}")
    raw = np.packbits(bits_of(start + length)[start : start + length]).tobytes()
    if not compressed:
        return Payload(name, channel, raw.decode("utf-8", errors="replace"))
    try:
        decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        text = decompressor.decompress(raw, max_bytes)
        if decompressor.unconsumed_tail:
            return Payload(name, channel, None, f"payload decompresses to over {max_bytes:,} bytes")
    except (zlib.error, gzip.BadGzipFile, EOFError) as exc:
        return Payload(name, channel, None, f"payload is not valid gzip: {exc}")
    return Payload(name, channel, text.decode("utf-8", errors="replace"))


def payloads(context: ImageContext) -> list[Payload]:
    """Stealth payloads in the image (alpha first), decoded once per image and cached on the context.

    The bits run down the columns, so the signature sits in the first column: only the columns a
    payload needs are taken from the pixels, never an array copy of a whole large image."""
    cached = context.extras.get(_CACHE_KEY)
    if cached is not None:
        return list(cached)
    found: list[Payload] = []
    first = context.columns(1) if context.format in LOSSLESS_FORMATS else None
    if first is not None:
        width, height = context.size
        for channel in ("alpha", "rgb") if first.shape[2] == 4 else ("rgb",):
            per_column = height * (1 if channel == "alpha" else 3)

            def bits_of(count: int, channel: str = channel, per_column: int = per_column) -> UINT8:
                columns = context.columns(-(-count // per_column))
                assert columns is not None
                return _bit_stream(columns, channel)

            payload = _decode(bits_of, width * per_column, channel, context.settings.limits.max_metadata_bytes)
            if payload is not None:
                found.append(payload)
    context.extras[_CACHE_KEY] = found
    return found


class StealthReader:
    """Reports stealth payloads; the generator readers interpret their contents."""

    name = "stealth"

    def read(self, context: ImageContext) -> list[Evidence]:
        out: list[Evidence] = []
        for payload in payloads(context):
            if payload.error is not None:
                out.append(unreadable("stealth", f"{payload.signature} in the {payload.channel} LSBs: {payload.error}"))
                continue
            out.append(
                Evidence(
                    source="stealth",
                    strength=Strength.STRONG,
                    ai_generated=True,
                    claims={"signature": payload.signature, "channel": payload.channel, "characters": len(payload.text or "")},
                )
            )
        return out
