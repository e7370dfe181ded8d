"""Whether an image's own metadata agrees with itself: indicative only, never a verdict.

A file straight from a camera tells one story in several places: the EXIF make, a maker note in
that maker's format, an encoder signature a camera leaves (`encoder`), an embedded thumbnail of
the same picture, timestamps in order. Editing tends to break one of them: software re-encodes
the pixels but copies the EXIF, or keeps the old thumbnail after the picture was changed. Each
check is reported with what it found; a disagreement shows the file was saved again after
capture, never what the picture shows (`ai_generated` stays None). Broken EXIF is a check whose
result is `unreadable`, never an exception.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from clearsight.hashing.base import hamming_distance
from clearsight.hashing.pdq_numpy import bits_to_hex, downsampled, pdq_from_block
from clearsight.provenance.authenticity.encoder import MAKE, MAKER_NOTE, MODEL, SOFTWARE, classify, facts_of, layout_departures
from clearsight.provenance.authenticity.exif_tiff import THUMBNAIL_OFFSET, TiffExif, read_tiff
from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, Strength

NAME = "metadata_consistency"
CONSISTENT, INCONSISTENT, ABSENT, UNREADABLE = "consistent", "inconsistent", "absent", "unreadable"

THUMBNAIL_DISTANCE = 70
"""PDQ bits (of 256) by which a thumbnail may differ from the main picture and still be called the
same picture. PDQ's match threshold, 31, is for two full-size copies; an EXIF thumbnail is about
160x120, compressed hard, sometimes letterboxed, so the same picture lands further apart. The
PDQs of unrelated pictures differ in about 128 bits (each bit a coin flip, standard deviation 8),
so 70 is seven deviations below chance: an unrelated thumbnail is flagged, a true one is not."""
MIN_PDQ_QUALITY = 50
"""PDQ's own bar for a hash worth comparing: flatter pictures give hashes decided by noise."""
MAX_THUMBNAIL_SIDE = 1024
"""Largest thumbnail decoded: EXIF thumbnails are about 160 pixels; anything far bigger is not one."""
BAND_ROWS = 256
DATETIME, ORIGINAL, DIGITIZED = 0x0132, 0x9003, 0x9004
OFFSETS = {DATETIME: 0x9010, ORIGINAL: 0x9011, DIGITIZED: 0x9012}
TIME_NAMES = {DATETIME: "DateTime", ORIGINAL: "DateTimeOriginal", DIGITIZED: "DateTimeDigitized (CreateDate)"}

MAKER_HEADERS = {"NIKON": (b"Nikon\0",), "OLYMPUS": (b"OLYMP\0", b"OLYMPUS\0", b"OM SYSTEM\0"), "FUJIFILM": (b"FUJIFILM",), "APPLE": (b"Apple iOS\0",),
                 "PANASONIC": (b"Panasonic\0",), "SANYO": (b"SANYO\0",), "CASIO": (b"QVC\0",), "PENTAX": (b"AOC\0", b"PENTAX \0"),
                 "SONY": (b"SONY DSC ", b"SONY CAM "), "LEICA": (b"LEICA",), "RICOH": (b"Ricoh", b"RICOH")}
"""The header each make's maker notes may start with. Not all of a make's models write one (older
Nikons, Casios and Sonys do not), so a missing header is not held against a file."""
DISTINCT_MAKERS = frozenset({"APPLE", "CANON", "NIKON", "FUJIFILM", "OLYMPUS", "PANASONIC"})
"""Makes that do not sell each other's cameras: one's maker-note header under another's make is a
contradiction. Others are left out because rebadged cameras carry their maker's notes (Samsung
GX models write Pentax's, some Olympus models Sanyo's)."""
EDITORS = ("photoshop", "lightroom", "gimp", "affinity", "pixelmator", "paint", "snapseed", "picasa", "photo gallery", "acdsee", "capture one",
           "darktable", "rawtherapee", "luminar", "canva", "facetune", "meitu", "stable diffusion", "comfyui", "midjourney", "dall", "firefly",
           "imagemagick", "pillow", "python")
"""Words in a Software tag that name an editor, converter or generator rather than camera firmware."""
LIMITS = ("Metadata can be written, copied or removed by anyone: agreement only shows the file was not carelessly edited, disagreement that it "
          "was saved again after capture, and neither says anything about what the picture shows.")


def _check(name: str, result: str, detail: str) -> dict[str, str]:
    return {"check": name, "result": result, "detail": detail}


def _maker(make: str) -> str:
    return make.split()[0].upper().rstrip(",.")


def tiff_of(context: ImageContext) -> TiffExif | None:
    """The image's EXIF (JPEG: its first APP1; other formats: Pillow's raw EXIF), None when it has none."""
    facts = facts_of(context)
    if facts is not None:
        return facts.tiff
    raw = None if context._image is None else context._image.info.get("exif")
    return read_tiff(raw) if isinstance(raw, bytes) and raw else None


def make_and_encoder(context: ImageContext, tiff: TiffExif) -> dict[str, str]:
    make = tiff.text(MAKE)
    if make is None:
        return _check("make_and_encoder", ABSENT, "the EXIF names no camera make")
    facts = facts_of(context)
    if facts is None or not facts.structure.quantisation:
        return _check("make_and_encoder", ABSENT, f"the EXIF names {make}, but only a readable JPEG has an encoder signature to compare")
    signature = classify(facts.structure, tiff)
    departures = layout_departures(facts.structure)
    if signature.kind == "camera":
        return _check("make_and_encoder", CONSISTENT, f"the EXIF names {make} and the encoder is a camera's ({signature.finding})")
    if signature.known is not None:
        return _check("make_and_encoder", INCONSISTENT, f"the EXIF names {make} but {signature.finding}")
    if signature.kind == "software":
        quality = f" at quality {signature.quality}" if signature.quality is not None else ""
        return _check("make_and_encoder", INCONSISTENT, f"re-encoded after capture: the EXIF names {make} but the file was saved by {signature.name}{quality}")
    if not departures:
        return _check("make_and_encoder", CONSISTENT, f"the EXIF names {make} and the file is laid out as a camera writes it ({signature.finding})")
    return _check("make_and_encoder", INCONSISTENT,
                  f"saved again after capture: the EXIF names {make} but the file is not laid out as a camera writes it ({', '.join(departures)})")


def maker_note(tiff: TiffExif) -> dict[str, str]:
    note = tiff.exif.get(MAKER_NOTE)
    if note is None:
        return _check("maker_note", ABSENT, "the EXIF has no maker note")
    if not isinstance(note, bytes) or not note.strip(b"\0 "):
        return _check("maker_note", UNREADABLE, "the maker note is empty (zero bytes), as some metadata cleaners leave it")
    make = tiff.text(MAKE)
    header = next((maker for maker, prefixes in MAKER_HEADERS.items() if note.startswith(prefixes)), None)
    if make is None:
        return _check("maker_note", CONSISTENT, f"a maker note of {len(note):,} bytes" + (f" in {header.title()}'s format" if header else "") + ", but no make to compare")
    maker = _maker(make)
    if header is not None and header != maker and maker in DISTINCT_MAKERS and header in DISTINCT_MAKERS:
        return _check("maker_note", INCONSISTENT, f"the maker note is in {header.title()}'s format but the EXIF names {make}")
    if header is not None and header == maker:
        return _check("maker_note", CONSISTENT, f"a maker note of {len(note):,} bytes with {make}'s header")
    if maker == "CANON":  # Canon's notes have no header: they are an IFD
        count = int.from_bytes(note[:2], "little" if tiff.little_endian else "big")
        if not 0 < count <= 512 or 2 + 12 * count > len(note):
            return _check("maker_note", UNREADABLE, f"the maker note is not an IFD, as Canon's are (it claims {count:,} entries in {len(note):,} bytes)")
        return _check("maker_note", CONSISTENT, f"a maker note of {len(note):,} bytes laid out as Canon's IFD ({count} entries)")
    return _check("maker_note", CONSISTENT, f"a maker note of {len(note):,} bytes (its format not checked for {make})")


def _pdq(pixels: np.ndarray) -> tuple[str, int] | None:
    rows, cols = pixels.shape[:2]
    block = downsampled((pixels[top : top + BAND_ROWS] for top in range(0, rows, BAND_ROWS)), rows, cols)
    if block is None:
        return None
    bits, quality = pdq_from_block(block)
    return bits_to_hex(bits), quality


def _letterbox(thumbnail: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The part of a thumbnail that shows the picture, when a camera padded it to a fixed shape
    (Canon pads 3:2 pictures into 160x120 with black bars): the centred box of the main picture's
    aspect ratio."""
    width, height = thumbnail.size
    aspect, shown = size[0] / size[1], width / height
    if abs(aspect - shown) / aspect < 0.05:
        return thumbnail
    if aspect > shown:
        keep = max(1, round(width / aspect))
        return thumbnail.crop((0, (height - keep) // 2, width, (height - keep) // 2 + keep))
    keep = max(1, round(height * aspect))
    return thumbnail.crop(((width - keep) // 2, 0, (width - keep) // 2 + keep, height))


def thumbnail(context: ImageContext, tiff: TiffExif) -> dict[str, str]:
    if tiff.thumbnail is None:
        if THUMBNAIL_OFFSET in tiff.ifd1 or any("thumbnail" in problem for problem in tiff.problems):
            return _check("thumbnail", UNREADABLE, "IFD1 points to a thumbnail outside the EXIF block")
        return _check("thumbnail", ABSENT, "the EXIF has no embedded thumbnail")
    try:
        opened = Image.open(io.BytesIO(tiff.thumbnail))
        if max(opened.size) > MAX_THUMBNAIL_SIDE:
            return _check("thumbnail", UNREADABLE, f"the embedded thumbnail is {opened.width}x{opened.height}, too large to be one; not decoded")
        small = opened.convert("RGB")
    except (OSError, SyntaxError, ValueError, EOFError, UnidentifiedImageError) as exc:
        return _check("thumbnail", UNREADABLE, f"the embedded thumbnail cannot be decoded: {exc}")
    main = context.pdq
    if main is None:
        pixels = context.pixels
        if pixels is None:
            return _check("thumbnail", UNREADABLE, "the main picture cannot be decoded to compare with its thumbnail")
        main = _pdq(pixels)
    thumb = _pdq(np.asarray(_letterbox(small, context.size)))
    if main is None or thumb is None or min(main[1], thumb[1]) < MIN_PDQ_QUALITY:
        return _check("thumbnail", UNREADABLE, "the picture or its thumbnail is too small or too flat to compare by PDQ")
    distance = hamming_distance(main[0], thumb[0])
    if distance > THUMBNAIL_DISTANCE:
        return _check("thumbnail", INCONSISTENT, f"the embedded thumbnail shows a different picture (PDQ distance {distance} of 256, over {THUMBNAIL_DISTANCE}): "
                      "an edited image often keeps the old thumbnail")
    return _check("thumbnail", CONSISTENT, f"the embedded thumbnail shows the same picture (PDQ distance {distance} of 256)")


def _when(tiff: TiffExif, tag: int) -> datetime | None:
    """A timestamp tag as a datetime (aware when its OffsetTime tag is given); None when absent
    or blank (cameras without a clock write zeros or spaces); ValueError when malformed."""
    text = tiff.text(tag, "ifd0" if tag == DATETIME else "exif")
    if text is None or not text.strip(" 0:"):
        return None
    when = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    offset = tiff.text(OFFSETS[tag], "exif")
    if offset and len(offset) >= 6 and offset[0] in "+-":
        sign = -1 if offset[0] == "-" else 1
        when = when.replace(tzinfo=timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))))
    return when


def timestamps(tiff: TiffExif) -> dict[str, str]:
    found: dict[int, datetime] = {}
    for tag in (DATETIME, ORIGINAL, DIGITIZED):
        try:
            when = _when(tiff, tag)
        except ValueError:
            return _check("timestamps", UNREADABLE, f"{TIME_NAMES[tag]} is not an EXIF date ({tiff.text(tag, 'ifd0' if tag == DATETIME else 'exif')!r})")
        if when is not None:
            found[tag] = when
    modified = found.get(DATETIME)
    taken = {tag: when for tag, when in found.items() if tag != DATETIME}
    if modified is None or not taken:
        return _check("timestamps", ABSENT, "the EXIF does not give both a capture time and a modification time to compare")
    for tag, when in taken.items():
        changed = modified
        if (when.tzinfo is None) != (changed.tzinfo is None):  # one offset missing: compare the clock readings as written
            when, changed = when.replace(tzinfo=None), changed.replace(tzinfo=None)
        if when > changed:
            return _check("timestamps", INCONSISTENT, f"{TIME_NAMES[tag]} ({when.isoformat(sep=' ')}) is after DateTime, when the file was last changed "
                          f"({modified.isoformat(sep=' ')})")
    return _check("timestamps", CONSISTENT, "the capture time is not after the file's modification time")


def software(tiff: TiffExif) -> dict[str, str]:
    name = tiff.text(SOFTWARE)
    if name is None:
        return _check("software", ABSENT, "the EXIF names no software")
    if any(word in name.lower() for word in EDITORS):
        return _check("software", CONSISTENT, f"the Software tag names {name!r}, an editor or generator: it saved this file")
    return _check("software", CONSISTENT, f"the Software tag names {name!r} (cameras put their firmware version here)")


def _finding(checks: list[dict[str, str]], supports: bool) -> str:
    against = [check for check in checks if check["result"] == INCONSISTENT]
    if against:
        return f"{len(against)} of {len(checks)} checks found the metadata inconsistent; first, {against[0]['check']}: {against[0]['detail']}."
    if supports:
        return "The camera make, maker note, encoder and embedded thumbnail agree, as in a file straight from a camera."
    missing = [check["check"] for check in checks if check["result"] in (ABSENT, UNREADABLE)]
    return "Nothing in the metadata contradicts itself" + (f", but {', '.join(missing)} could not be compared." if missing else ".")


class MetadataConsistencyReader:
    name = NAME

    def read(self, context: ImageContext) -> list[Evidence]:
        tiff = tiff_of(context)
        if tiff is None or not (tiff.ifd0 or tiff.exif or tiff.problems):
            return []
        checks = [_check("exif", UNREADABLE, problem) for problem in tiff.problems]
        if tiff.ifd0:
            checks += [make_and_encoder(context, tiff), maker_note(tiff), thumbnail(context, tiff), timestamps(tiff), software(tiff)]
        results = {check["check"]: check["result"] for check in checks}
        supports = all(results.get(name) == CONSISTENT for name in ("make_and_encoder", "maker_note", "thumbnail")) and tiff.text(MODEL) is not None
        claims: dict[str, Any] = {"checks": checks, "supports_capture": supports, "finding": _finding(checks, supports), "limits": LIMITS}
        return [Evidence(NAME, Strength.INDICATIVE, None, claims=claims)]
