"""A JPEG's marker segments, read without decoding a pixel: the encoder's fingerprint.

An encoder leaves its habits in the segments before the first scan: which APPn blocks it writes
and in what order, its quantisation tables, whether it uses the Huffman tables of the standard's
Annex K or optimised ones, its chroma subsampling. Reading stops at the first SOS (the entropy-
coded data after it says nothing more about the encoder), after MAX_SEGMENTS segments, or at the
end of the data: truncated or garbage input gives what was read and a `problem`, never an error.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

MAX_SEGMENTS = 512
"""Segments read before giving up: real files have a few dozen before their first scan."""
MAX_EXIF_BYTES = 65533
"""An APP1 segment's largest payload; the EXIF kept is the first `Exif\\0\\0` segment's."""

ZIGZAG = (
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
    35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
)
"""The natural (row-major) index of each coefficient in the order a DQT segment stores them."""

STANDARD_HUFFMAN = {
    (0, "00010501010101010100000000000000", "000102030405060708090a0b"),
    (0, "00030101010101010101010000000000", "000102030405060708090a0b"),
    (1, "00020102040403040705040400010277",
     ("000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a4344"
      "45464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4"
      "b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa")),
    (1, "0002010303020403050504040000017d",
     ("01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445"
      "464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6"
      "b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa")),
}
"""The four Huffman tables of ITU-T T.81 Annex K.3 (DC and AC, luminance and chrominance) as
(class, code counts, symbols): libjpeg writes them unless asked to optimise, as cameras do."""

_NAMES = {0xD8: "SOI", 0xD9: "EOI", 0xDA: "SOS", 0xDB: "DQT", 0xC4: "DHT", 0xDD: "DRI", 0xFE: "COM", 0xCC: "DAC", 0xDC: "DNL", 0xDE: "DHP", 0xDF: "EXP"}
_SOF = {0xC0: "baseline", 0xC1: "extended", 0xC2: "progressive", 0xC3: "lossless", 0xC5: "differential sequential", 0xC6: "differential progressive",
        0xC7: "differential lossless", 0xC9: "arithmetic extended", 0xCA: "arithmetic progressive", 0xCB: "arithmetic lossless",
        0xCD: "arithmetic differential sequential", 0xCE: "arithmetic differential progressive", 0xCF: "arithmetic differential lossless"}
_APP_IDS = ((b"JFIF\0", "JFIF"), (b"JFXX\0", "JFXX"), (b"Exif\0", "Exif"), (b"http://ns.adobe.com/xap/1.0/\0", "XMP"),
            (b"http://ns.adobe.com/xmp/extension/\0", "XMP extension"), (b"ICC_PROFILE\0", "ICC_PROFILE"), (b"Photoshop 3.0\0", "Photoshop 3.0"),
            (b"Adobe", "Adobe"), (b"Ducky", "Ducky"), (b"MPF\0", "MPF"), (b"FPXR\0", "FPXR"), (b"Meta\0", "Meta"), (b"AROT\0", "AROT"))
_SUBSAMPLING = {(1, 1): "4:4:4", (2, 1): "4:2:2", (1, 2): "4:4:0", (2, 2): "4:2:0", (4, 1): "4:1:1", (4, 2): "4:1:0"}


def marker_name(code: int) -> str:
    if code in _NAMES:
        return _NAMES[code]
    if 0xE0 <= code <= 0xEF:
        return f"APP{code - 0xE0}"
    if 0xC0 <= code <= 0xCF:
        return f"SOF{code - 0xC0}"
    if 0xD0 <= code <= 0xD7:
        return f"RST{code - 0xD0}"
    return f"0x{code:02X}"


@dataclass(frozen=True)
class Component:
    id: int
    h: int
    v: int
    table: int


@dataclass
class JpegStructure:
    """What the segments before a JPEG's first scan say. `problem` says why reading stopped
    early (None when the first SOS was reached)."""

    markers: list[str] = field(default_factory=list)
    """In file order, e.g. ["SOI", "APP0", "APP1", "DQT", "SOF0", "DHT", "SOS"]."""
    quantisation: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """Table id to its 64 values in natural (row-major, zigzag-decoded) order; a later
    definition of the same id replaces an earlier one, as decoders do."""
    huffman: list[tuple[int, int, str, str]] = field(default_factory=list)
    """Each DHT table as (class 0=DC/1=AC, id, code counts hex, symbols hex)."""
    app: list[str] = field(default_factory=list)
    """Each APPn segment as `APPn:identifier` (`APP1:Exif`, `APP13:Photoshop 3.0`), or `APPn` alone."""
    frame: str | None = None
    """The SOF marker (`SOF0`, `SOF2`...)."""
    components: list[Component] = field(default_factory=list)
    width: int = 0
    height: int = 0
    restart_interval: int = 0
    exif: bytes | None = None
    """The first APP1 `Exif\\0\\0` segment's TIFF data (the prefix removed)."""
    adobe_transform: int | None = None
    problem: str | None = None

    @property
    def sof_type(self) -> str | None:
        """`baseline`, `progressive`... from the SOF marker."""
        return None if self.frame is None else _SOF.get(int(self.frame[3:]) + 0xC0, self.frame)

    @property
    def progressive(self) -> bool:
        return self.frame in ("SOF2", "SOF6", "SOF10", "SOF14")

    @property
    def standard_huffman(self) -> bool | None:
        """Whether every Huffman table before the first scan is one of Annex K's (None when there
        are none: arithmetic coding, or tables that only come later)."""
        if not self.huffman:
            return None
        return all((kind, counts, symbols) in STANDARD_HUFFMAN for kind, _, counts, symbols in self.huffman)

    @property
    def subsampling(self) -> str | None:
        """`4:2:0`, `4:4:4`... from the sampling factors of the first component and the others
        (all chroma components alike); `greyscale` for one component."""
        if not self.components:
            return None
        if len(self.components) == 1:
            return "greyscale"
        luma, chroma = self.components[0], self.components[1:]
        if any((c.h, c.v) != (chroma[0].h, chroma[0].v) for c in chroma) or luma.h % chroma[0].h or luma.v % chroma[0].v:
            return "custom " + ",".join(f"{c.h}x{c.v}" for c in self.components)
        return _SUBSAMPLING.get((luma.h // chroma[0].h, luma.v // chroma[0].v), "custom " + ",".join(f"{c.h}x{c.v}" for c in self.components))

    def has_app(self, identifier: str) -> bool:
        return any(entry.split(":", 1)[-1] == identifier for entry in self.app)


def _app_identifier(payload: bytes) -> str | None:
    for prefix, name in _APP_IDS:
        if payload.startswith(prefix):
            return name
    return None


def _read_dqt(payload: bytes, out: JpegStructure) -> str | None:
    pos = 0
    while pos < len(payload):
        precision, table = payload[pos] >> 4, payload[pos] & 15
        size = 128 if precision else 64
        values = payload[pos + 1 : pos + 1 + size]
        if precision > 1 or len(values) < size:
            return "a DQT segment is malformed"
        stored = struct.unpack(">64H", values) if precision else tuple(values)
        natural = [0] * 64
        for index, value in zip(ZIGZAG, stored, strict=True):
            natural[index] = value
        out.quantisation[table] = tuple(natural)
        pos += 1 + size
    return None


def _read_dht(payload: bytes, out: JpegStructure) -> str | None:
    pos = 0
    while pos < len(payload):
        counts = payload[pos + 1 : pos + 17]
        if len(counts) < 16:
            return "a DHT segment is malformed"
        symbols = payload[pos + 17 : pos + 17 + sum(counts)]
        if len(symbols) < sum(counts):
            return "a DHT segment is malformed"
        out.huffman.append((payload[pos] >> 4, payload[pos] & 15, counts.hex(), symbols.hex()))
        pos += 17 + sum(counts)
    return None


def _read_sof(payload: bytes, out: JpegStructure) -> str | None:
    if len(payload) < 6 or len(payload) < 6 + 3 * payload[5]:
        return "the SOF segment is malformed"
    out.height, out.width = struct.unpack(">HH", payload[1:5])
    out.components = [Component(payload[i], payload[i + 1] >> 4, payload[i + 1] & 15, payload[i + 2]) for i in range(6, 6 + 3 * payload[5], 3)]
    if any(c.h == 0 or c.v == 0 for c in out.components):
        out.components = []
        return "the SOF segment has a zero sampling factor"
    return None


def _read_segment(code: int, payload: bytes, out: JpegStructure) -> str | None:
    if code == 0xDB:
        return _read_dqt(payload, out)
    if code == 0xC4:
        return _read_dht(payload, out)
    if code == 0xDD:
        if len(payload) < 2:
            return "the DRI segment is malformed"
        out.restart_interval = struct.unpack(">H", payload[:2])[0]
    elif 0xC0 <= code <= 0xCF and code not in (0xC4, 0xC8, 0xCC) and out.frame is None:
        out.frame = marker_name(code)
        return _read_sof(payload, out)
    elif 0xE0 <= code <= 0xEF:
        identifier = _app_identifier(payload)
        out.app.append(f"{marker_name(code)}:{identifier}" if identifier else marker_name(code))
        if code == 0xE1 and identifier == "Exif" and out.exif is None:
            out.exif = payload[6:MAX_EXIF_BYTES]
        if code == 0xEE and identifier == "Adobe" and len(payload) >= 12:
            out.adobe_transform = payload[11]
    return None


def read_structure(data: bytes) -> JpegStructure:
    """The segments of `data` up to its first SOS; never raises."""
    out = JpegStructure()
    if data[:2] != b"\xff\xd8":
        out.problem = "not a JPEG: no SOI marker"
        return out
    out.markers.append("SOI")
    pos = 2
    for _ in range(MAX_SEGMENTS):
        if pos >= len(data):
            out.problem = "the file ends before the first scan"
            return out
        if data[pos] != 0xFF:
            out.problem = f"garbage instead of a marker at byte {pos:,}"
            return out
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= len(data):
            out.problem = "the file ends before the first scan"
            return out
        code = data[pos]
        pos += 1
        out.markers.append(marker_name(code))
        if code == 0xD9:
            out.problem = "the file ends (EOI) before any scan"
            return out
        if 0xD0 <= code <= 0xD7 or code in (0x01, 0xD8):
            continue
        if pos + 2 > len(data):
            out.problem = "the file ends inside a segment"
            return out
        length = struct.unpack(">H", data[pos : pos + 2])[0]
        if length < 2 or pos + length > len(data):
            out.problem = f"the {marker_name(code)} segment's length runs past the end of the file" if length >= 2 else "a segment has a length under 2"
            if code == 0xDA:  # the scan header is read only to know where the scan starts
                out.problem = None
            return out
        problem = _read_segment(code, data[pos + 2 : pos + length], out)
        if problem and not out.problem:
            out.problem = problem
        if code == 0xDA:
            return out
        pos += length
    out.problem = f"more than {MAX_SEGMENTS} segments before the first scan; the rest not read"
    return out
