"""Which encoder wrote a JPEG, from its quantisation tables and segment layout: indicative only.

Every encoder has habits. libjpeg (IJG), which Pillow, GIMP, ImageMagick and most programs use,
scales the standard's Annex K tables by one formula of its quality setting, so its tables give
the quality exactly. Photoshop writes its own table sets and an Adobe APP14 segment beside its
APP13 "Photoshop 3.0" (or, saving for the web, APP12 "Ducky") block. A camera writes EXIF first
with its make, model and maker note, no JFIF header, the Annex K Huffman tables and usually its
own tables. Some cameras use IJG-scaled tables too (Nikon COOLPIX P6000, Sony DSC-D700 and Casio
EX-Z750 samples do), so IJG tables in a camera-shaped file are not called a re-encode.

The evidence never makes a verdict (`ai_generated` stays None): tables and segments are easy to
copy, and an encoder says nothing about what the picture shows. What it can show an analyst is
that a file claiming to come from a camera was saved again by software. Not told apart (no rule
that could be tested here): mozjpeg and jpegli, whose default tables are their own, and the
re-encoders of large platforms (a rule for them belongs in `classify` once sample files back it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from PIL import JpegPresets

from clearsight.provenance import evidence
from clearsight.provenance.authenticity import camera_tables
from clearsight.provenance.authenticity.exif_tiff import TiffExif, read_tiff
from clearsight.provenance.authenticity.jpeg_structure import JpegStructure, read_structure
from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, Strength

NAME = "encoder"
LIBJPEG = "libjpeg (IJG)"
PHOTOSHOP = "Photoshop"
MAKE, MODEL, SOFTWARE, MAKER_NOTE = 0x010F, 0x0110, 0x0131, 0x927C

STANDARD_LUMA = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)
"""ITU-T T.81 Annex K.1, table K.1 (luminance), natural order: IJG's quality 50."""
STANDARD_CHROMA = (17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99) + (99,) * 32
"""Annex K.1, table K.2 (chrominance), natural order."""

PHOTOSHOP_PRESETS: dict[str, tuple[tuple[int, ...], ...]] = {
    name: tuple(tuple(table) for table in cast(list[list[int]], preset["quantization"])) for name, preset in JpegPresets.presets.items()
}
"""Photoshop's table sets as Pillow's JpegPresets lists them ("equivalent to the Photoshop
settings"); "high" is exactly the set of a Photoshop-saved sample (exif-samples
jpg/exif-org/nikon-e950.jpg, which carries Photoshop's APP13 and APP14). Pillow can write these
tables too (`qtables="high"`), so a match names the table set, not the program for certain."""

LIMITS = ("A camera's tables and segments can be copied into any file and re-encoding erases them; the encoder says nothing about what the "
          "picture shows or whether its scene was real or generated.")


def ijg_table(base: tuple[int, ...], quality: int, baseline: bool = True) -> tuple[int, ...]:
    """libjpeg's `jpeg_set_quality`: the Annex K table scaled by 5000/Q below 50, else 200-2Q
    percent, rounded, at least 1 and at most 255 (baseline) or 32767."""
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    ceiling = 255 if baseline else 32767
    return tuple(min(ceiling, max(1, (value * scale + 50) // 100)) for value in base)


_IJG = {(quality, baseline): (ijg_table(STANDARD_LUMA, quality, baseline), ijg_table(STANDARD_CHROMA, quality, baseline))
        for quality in range(1, 101) for baseline in (True, False)}


def ijg_quality(quantisation: dict[int, tuple[int, ...]]) -> int | None:
    """The IJG quality whose scaled tables are exactly the file's (luma 0, chroma 1 if present), else None."""
    if 0 not in quantisation or not set(quantisation) <= {0, 1}:
        return None
    for (quality, _), (luma, chroma) in _IJG.items():
        if quantisation[0] == luma and quantisation.get(1, chroma) == chroma:
            return quality
    return None


_NEAREST = np.array([[_IJG[(quality, False)][0], _IJG[(quality, False)][1]] for quality in range(1, 101)], dtype=np.int32)
"""Quality 1-100's (luma, chroma) tables without the baseline cap, one row per quality: the
distance to every quality is one array operation (the same sums in Python took 5 ms of every
JPEG scanned)."""


def nearest_ijg_quality(quantisation: dict[int, tuple[int, ...]]) -> int | None:
    """The IJG quality whose tables are closest to the file's (summed absolute difference; the
    lowest quality of a tie)."""
    if 0 not in quantisation:
        return None
    distance = np.abs(_NEAREST[:, 0] - np.asarray(quantisation[0])).sum(axis=1)
    if 1 in quantisation:
        distance += np.abs(_NEAREST[:, 1] - np.asarray(quantisation[1])).sum(axis=1)
    return int(np.argmin(distance)) + 1


def photoshop_preset(quantisation: dict[int, tuple[int, ...]]) -> str | None:
    tables = tuple(quantisation[key] for key in sorted(quantisation))
    return next((name for name, preset in PHOTOSHOP_PRESETS.items() if preset == tables), None)


@dataclass
class Facts:
    """A JPEG's structure and EXIF, read once per file and shared by the authenticity readers."""

    structure: JpegStructure
    tiff: TiffExif | None


def facts_of(context: ImageContext) -> Facts | None:
    """The JPEG facts of a context (None for other formats), cached in `context.extras`."""
    if context.format != "JPEG":
        return None
    cached = context.extras.get("authenticity.jpeg")
    if isinstance(cached, Facts):
        return cached
    structure = read_structure(context.data)
    found = Facts(structure, read_tiff(structure.exif) if structure.exif else None)
    context.extras["authenticity.jpeg"] = found
    return found


def layout_departures(structure: JpegStructure) -> list[str]:
    """How the file departs from the layout in-camera encoders write: EXIF APP1 straight after SOI
    (as the Exif standard requires), no JFIF header, tables before the frame, the Annex K Huffman
    tables (a camera cannot afford the second pass that optimised tables need)."""
    markers, departures = structure.markers, []
    if not structure.app or structure.app[0] != "APP1:Exif" or len(markers) < 2 or markers[1] != "APP1":
        departures.append("EXIF is not the first segment")
    if structure.has_app("JFIF"):
        departures.append("it has a JFIF header")
    frame = next((i for i, marker in enumerate(markers) if marker.startswith("SOF")), None)
    if "DQT" not in markers or frame is None or markers.index("DQT") > frame:
        departures.append("its tables do not come before the frame header")
    if structure.standard_huffman is False:
        departures.append("its Huffman tables are optimised")
    return departures


def camera_layout(structure: JpegStructure) -> bool:
    """Laid out as in-camera encoders write (`layout_departures`)."""
    return not layout_departures(structure)


def camera_metadata(tiff: TiffExif | None) -> bool:
    """EXIF that names a make and carries a maker note, as camera firmware writes."""
    note = None if tiff is None else tiff.exif.get(MAKER_NOTE)
    return tiff is not None and tiff.text(MAKE) is not None and isinstance(note, bytes) and len(note.strip(b"\0 ")) > 0


def _same_make(exif_make: str | None, make: str) -> bool:
    return exif_make is not None and exif_make.upper().startswith(make.upper())


@dataclass
class Signature:
    """The encoder class (`camera`, `software`, `unknown`), its name, the IJG quality when the
    tables are IJG's, and a sentence saying what that shows."""

    kind: str
    name: str | None
    quality: int | None
    finding: str
    known: camera_tables.CameraTables | None = None
    preset: str | None = None


def _camera_or_unknown(structure: JpegStructure, tiff: TiffExif | None) -> Signature:
    make = None if tiff is None else tiff.text(MAKE)
    model = None if tiff is None else tiff.text(MODEL)
    known = camera_tables.match(structure.quantisation)
    shaped = camera_layout(structure) and camera_metadata(tiff)
    if known is not None and not _same_make(make, known.make):
        told = f"the EXIF names {make}" if make else "the file has no camera EXIF"
        return Signature("unknown", f"{known.make} camera tables", None,
                         f"the quantisation tables are those of {known.make} cameras ({known.models}), but {told}", known)
    if shaped:
        device = model if make and model and model.upper().startswith(make.split()[0].upper()) else " ".join(p for p in (make, model) if p)
        tables = (f"match the {known.make} tables of sample photos ({known.models})" if known
                  else f"are not IJG's and not in the known set of camera tables (make from EXIF: {make})")
        return Signature("camera", make, None,
                         f"encoded as in-camera encoders write: EXIF naming {device} with a maker note comes first, and the quantisation tables {tables}",
                         known)
    if known is not None:
        return Signature("unknown", f"{known.make} camera tables", None,
                         f"the quantisation tables are those of {known.make} cameras ({known.models}), but the file is not laid out as a camera writes it", known)
    return Signature("unknown", None, None, "the quantisation tables are not IJG's and the file is not laid out as a camera writes it: the encoder is not one this reader knows")


def classify(structure: JpegStructure, tiff: TiffExif | None) -> Signature:
    """The encoder signature of a JPEG (rules in the module docstring)."""
    tables = structure.quantisation
    quality = ijg_quality(tables)
    preset = photoshop_preset(tables)
    adobe = structure.has_app("Adobe") and (structure.has_app("Photoshop 3.0") or structure.has_app("Ducky"))
    if adobe and (quality is None or quality == 100):
        return Signature("software", PHOTOSHOP, None, "saved by Photoshop: Adobe's APP14 and Photoshop's APP13 (or Save for Web's APP12) segments "
                         "with tables that are not IJG's", preset=preset)
    if preset is not None:
        return Signature("software", PHOTOSHOP, None, f"saved with Photoshop's '{preset}' quantisation tables (Pillow can write them too)", preset=preset)
    if quality is not None:
        if camera_layout(structure) and tiff is not None and tiff.text(MAKE) is not None:
            return Signature("unknown", "IJG-scaled tables", quality,
                             f"the quantisation tables are IJG's at quality {quality}, which libjpeg-based software and some cameras both write; "
                             "the camera-style EXIF does not settle which")
        return Signature("software", LIBJPEG, quality, f"encoded or re-encoded by {LIBJPEG} software at quality {quality} (Pillow, GIMP, ImageMagick "
                         "and most programs use it)")
    return _camera_or_unknown(structure, tiff)


def _huffman(structure: JpegStructure) -> str:
    standard = structure.standard_huffman
    return "absent" if standard is None else "standard" if standard else "optimised"


def encoder_claims(structure: JpegStructure, signature: Signature) -> dict[str, Any]:
    known = signature.known
    return {
        "class": signature.kind,
        "name": signature.name,
        "quality": signature.quality,
        "nearest_ijg_quality": nearest_ijg_quality(structure.quantisation),
        "photoshop_tables": signature.preset,
        "subsampling": structure.subsampling,
        "progressive": structure.progressive,
        "huffman": _huffman(structure),
        "restart_interval": structure.restart_interval,
        "markers": structure.markers,
        "app": structure.app,
        "known_tables": None if known is None else {"make": known.make, "models": known.models, "repo": known.source.repo,
                                                    "commit": known.source.commit, "files": list(known.source.files), "licence": known.source.licence},
    }


class EncoderReader:
    name = NAME

    def read(self, context: ImageContext) -> list[Evidence]:
        found = facts_of(context)
        if found is None:
            return []
        structure = found.structure
        if not structure.quantisation:
            return [evidence.unreadable(NAME, f"no quantisation tables could be read: {structure.problem or 'the file has none before its first scan'}")]
        signature = classify(structure, found.tiff)
        claims: dict[str, Any] = {"encoder": encoder_claims(structure, signature), "supports_capture": signature.kind == "camera",
                                  "finding": signature.finding[0].upper() + signature.finding[1:] + ".", "limits": LIMITS}
        if structure.problem:
            claims["problem"] = structure.problem
        return [Evidence(NAME, Strength.INDICATIVE, None, claims=claims)]
