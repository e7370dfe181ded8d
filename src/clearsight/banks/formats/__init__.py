"""The hash-list formats partners exchange. Adding one is a module plus a line here."""

from __future__ import annotations

from clearsight.banks.formats.base import HEAD_CHARS, BankFormat, FormatError, decode, open_list, text_stream
from clearsight.banks.formats.csv_format import CsvFormat
from clearsight.banks.formats.hma import HmaFormat
from clearsight.banks.formats.lines import LinesFormat
from clearsight.banks.formats.ncmec import NcmecFormat
from clearsight.banks.formats.vics import VicsFormat
from clearsight.banks.formats.vpdq import VpdqFormat

FORMATS: dict[str, type[BankFormat]] = {f.name: f for f in (VicsFormat, NcmecFormat, HmaFormat, VpdqFormat, CsvFormat, LinesFormat)}
"""In sniffing order: the most distinctive formats first, bare lines last."""


def detect(text: str) -> type[BankFormat]:
    """The format a file's content (its first `HEAD_CHARS` are enough) looks like; FormatError when none fits."""
    head = text[:HEAD_CHARS].lstrip("\ufeff")
    for fmt in FORMATS.values():
        if fmt.sniff(head):
            return fmt
    raise FormatError("cannot tell the format of this file; give --format")


__all__ = ["FORMATS", "BankFormat", "FormatError", "decode", "detect", "open_list", "text_stream"]
