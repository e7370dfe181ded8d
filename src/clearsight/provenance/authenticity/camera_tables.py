"""Quantisation tables that cameras were seen to write, learnt from redistributable sample photos.

Each set was read from original camera files (EXIF written first, no JFIF header, the Annex K
Huffman tables, firmware as the Software tag) in the public sample collection ianare/exif-samples
at commit 5332a9cf0220e9c6c93f88a187daa90808051e10, whose README releases contributed images
under CC BY-SA 4.0. The tables are numeric facts about those files; the files themselves are not
copied here. Only sets shared by no IJG quality are kept (many cameras, e.g. Nikon COOLPIX P6000,
Sony DSC-D700, Casio EX-Z750 in the same collection, write IJG-scaled tables, which say nothing
about a make).

A match is evidence of an encoder, not of a camera: the tables are public (here, for one) and
any program can write them. Many cameras also choose tables per picture or per quality setting,
so the absence of a match says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

SAMPLES_REPO = "ianare/exif-samples"
SAMPLES_COMMIT = "5332a9cf0220e9c6c93f88a187daa90808051e10"
SAMPLES_LICENCE = "CC BY-SA 4.0 (the repository README's terms for contributed images)"


@dataclass(frozen=True)
class Source:
    files: tuple[str, ...]
    repo: str = SAMPLES_REPO
    commit: str = SAMPLES_COMMIT
    licence: str = SAMPLES_LICENCE


@dataclass(frozen=True)
class CameraTables:
    """One camera table set: tables 0 (luma) and 1 (chroma) in natural order."""

    make: str
    models: str
    luma: tuple[int, ...]
    chroma: tuple[int, ...]
    source: Source


KNOWN: tuple[CameraTables, ...] = (
    CameraTables(
        make="Canon",
        models="PowerShot SD300, PowerShot SX60 HS",
        luma=(
              1,   1,   1,   2,   3,   6,   8,  10,
              1,   1,   2,   3,   4,   8,   9,   8,
              2,   2,   2,   3,   6,   8,  10,   8,
              2,   2,   3,   4,   7,  12,  11,   9,
              3,   3,   8,  11,  10,  16,  15,  11,
              3,   5,   8,  10,  12,  15,  16,  13,
              7,  10,  11,  12,  15,  17,  17,  14,
             14,  13,  13,  15,  15,  14,  14,  14,
        ),
        chroma=(
              4,   4,   5,   9,  15,  26,  26,  26,
              4,   4,   5,  10,  19,  26,  26,  26,
              5,   5,   8,   9,  26,  26,  26,  26,
              9,  10,   9,  13,  26,  26,  26,  26,
             15,  19,  26,  26,  26,  26,  26,  26,
             26,  26,  26,  26,  26,  26,  26,  26,
             26,  26,  26,  26,  26,  26,  26,  26,
             26,  26,  26,  26,  26,  26,  26,  26,
        ),
        source=Source(files=('jpg/tests/22-canon_tags.jpg', 'jpg/hdr/canon_hdr_NO.jpg', 'jpg/hdr/canon_hdr_YES.jpg')),
    ),
    CameraTables(
        make="Apple",
        models="iPhone 6 (iOS 8.3)",
        luma=(
              1,   1,   1,   2,   3,   4,   5,   6,
              1,   1,   1,   2,   3,   4,   5,   6,
              1,   1,   2,   3,   4,   5,   6,   7,
              2,   2,   3,   4,   5,   6,   7,   8,
              3,   3,   4,   5,   6,   7,   8,   9,
              4,   4,   5,   6,   7,   8,   9,   9,
              5,   5,   6,   7,   8,   9,   9,   9,
              6,   6,   7,   8,   9,   9,   9,   9,
        ),
        chroma=(
              1,   1,   2,   4,   9,   9,   9,   9,
              1,   2,   2,   6,   9,   9,   9,   9,
              2,   2,   5,   9,   9,   9,   9,   9,
              4,   6,   9,   9,   9,   9,   9,   9,
              9,   9,   9,   9,   9,   9,   9,   9,
              9,   9,   9,   9,   9,   9,   9,   9,
              9,   9,   9,   9,   9,   9,   9,   9,
              9,   9,   9,   9,   9,   9,   9,   9,
        ),
        source=Source(files=('jpg/hdr/iphone_hdr_NO.jpg', 'jpg/hdr/iphone_hdr_YES.jpg')),
    ),
    CameraTables(
        make="OLYMPUS",
        models="E-P3",
        luma=(
              3,   2,   2,   3,   4,   6,   8,  10,
              2,   2,   2,   3,   4,   9,   9,   9,
              2,   2,   3,   4,   6,   9,  11,   9,
              2,   3,   3,   5,   8,  14,  13,  10,
              3,   3,   6,   9,  11,  17,  16,  12,
              4,   5,   9,  10,  13,  16,  18,  14,
              8,  10,  12,  14,  16,  19,  19,  16,
             11,  14,  15,  15,  18,  16,  16,  15,
        ),
        chroma=(
              3,   3,   4,   7,  15,  15,  15,  15,
              3,   3,   4,  10,  15,  15,  15,  15,
              4,   4,   9,  15,  15,  15,  15,  15,
              7,  10,  15,  15,  15,  15,  15,  15,
             15,  15,  15,  15,  15,  15,  15,  15,
             15,  15,  15,  15,  15,  15,  15,  15,
             15,  15,  15,  15,  15,  15,  15,  15,
             15,  15,  15,  15,  15,  15,  15,  15,
        ),
        source=Source(files=('jpg/tests/42_IndexError.jpg',)),
    ),
    CameraTables(
        make="CASIO",
        models="EX-M2",
        luma=(
              1,   1,   1,   2,   3,   5,   6,   7,
              1,   1,   2,   2,   3,   7,   7,   6,
              2,   1,   2,   3,   5,   6,   8,   6,
              2,   2,   2,   3,   6,  10,   9,   7,
              2,   2,   4,   6,   8,  12,  12,   9,
              3,   4,   6,   7,   9,  12,  13,  10,
              6,   7,   9,  10,  12,  14,  14,  11,
              8,  10,  11,  11,  13,  11,  12,  11,
        ),
        chroma=(
              1,   2,   3,   5,  11,  11,  11,  11,
              2,   2,   3,   7,  11,  11,  11,  11,
              3,   3,   6,  11,  11,  11,  11,  11,
              5,   7,  11,  11,  11,  11,  11,  11,
             11,  11,  11,  11,  11,  11,  11,  11,
             11,  11,  11,  11,  11,  11,  11,  11,
             11,  11,  11,  11,  11,  11,  11,  11,
             11,  11,  11,  11,  11,  11,  11,  11,
        ),
        source=Source(files=('jpg/tests/36-memory_error.jpg',)),
    ),
)


def match(quantisation: dict[int, tuple[int, ...]]) -> CameraTables | None:
    """The known camera set whose luma and chroma tables are exactly the file's, if any."""
    luma, chroma = quantisation.get(0), quantisation.get(1)
    return next((known for known in KNOWN if known.luma == luma and known.chroma == chroma), None)
