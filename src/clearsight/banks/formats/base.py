"""The interface every hash-list format implements: sniff, read, and (for most) write.

A format is one module plus a line in `formats/__init__.py`, like a signal type. Readers take a
text stream and yield records and row errors in file order and never raise for one bad row; they
raise `FormatError` only when the file as a whole cannot be read (not JSON at all, no hash
column...). Line formats read the stream line by line, so a list of any size is imported in
bounded memory; document formats (VICS JSON, NCMEC XML) read their one document.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, TextIO

from clearsight.errors import ClearsightError
from clearsight.store.records import BankRecord, RowError


class FormatError(ClearsightError):
    """The file cannot be read as this format at all."""


@dataclass(frozen=True)
class ExportContext:
    """What a writer may put in a file header: the bank's name, source and version."""

    bank: str
    source: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class ReadOptions:
    signal: str | None = None
    """Hash type for formats that cannot tell (a bare 64-hex line is SHA-256 or PDQ)."""
    source_name: str | None = None
    """The file's name without folders or extension, for formats that hold one unnamed item (vPDQ)."""


class BankFormat(Protocol):
    name: ClassVar[str]

    @staticmethod
    def sniff(head: str) -> bool:
        """True when the start of a file (decoded, BOM removed) looks like this format."""
        ...

    @staticmethod
    def read(stream: TextIO, options: ReadOptions) -> Iterator[BankRecord | RowError]:
        """Records of a stream from `open_list` or `text_stream` (lines split at \\n only)."""
        ...

    @staticmethod
    def write(records: Iterable[BankRecord], stream: TextIO, context: ExportContext) -> None: ...


def csv_rows(lines: Iterable[str], dialect: type[csv.Dialect] | csv.Dialect = csv.excel, first_line: int = 1) -> Iterator[tuple[int, list[str] | RowError]]:
    """(line number, row) of CSV lines, or (line number, RowError) for a row the csv module
    refuses (an over-long field, a stray carriage return), after which reading goes on with the
    next line. `first_line` is the file line number of the first of `lines`."""
    reader = csv.reader(lines, dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number = reader.line_num + first_line - 1
            yield number, RowError(number, f"unreadable CSV row: {exc}")
            continue
        yield reader.line_num + first_line - 1, row


MAX_NUMBER_DIGITS = 64
"""No field of any format needs a longer number; Python refuses to convert past 4,300 digits."""


def _number(text: str) -> int | str:
    return int(text) if len(text) <= MAX_NUMBER_DIGITS else text


def loads(text: str) -> Any:
    """JSON, with any over-long integer kept as its text: a 5,000-digit number is then the bad
    value of one field (that row's error) instead of a ValueError that stops the whole file."""
    return json.loads(text, parse_int=_number)


def decode(data: bytes) -> str:
    """Text of a hash-list file: UTF-8 with or without BOM, UTF-16 with BOM, else Latin-1.
    A cut-short UTF-16 file (odd length) ends in U+FFFD: its last row is then that row's error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


HEAD_CHARS = 4096
"""How much of a file `formats.detect` looks at."""
SNIFF_CHUNK = 1 << 20
"""Bytes decoded at a time while `open_list` checks a file's encoding."""


def _newline(has_lf: bool, has_cr: bool) -> str:
    """Lines end at \\n only: a stray \\r inside a row then reaches the csv module, which refuses
    that one row, instead of cutting it in two rows that each look valid. A text with no \\n at
    all (classic Mac line ends) is split at \\r."""
    return "\r" if has_cr and not has_lf else "\n"


def list_encoding(path: Path) -> tuple[str, str]:
    """(encoding, line end) of a hash-list file, as `decode` would read it, found in one pass of
    bounded memory: UTF-16 with BOM, else UTF-8 (BOM or not) if the whole file is valid UTF-8,
    else Latin-1."""
    with path.open("rb") as stream:
        encoding = "utf-16" if stream.read(2) in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace" if encoding == "utf-16" else "strict")
        has_lf = has_cr = False
        try:
            while chunk := stream.read(SNIFF_CHUNK):
                text = decoder.decode(chunk)
                has_lf, has_cr = has_lf or "\n" in text, has_cr or "\r" in text
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "latin-1"
            stream.seek(0)
            while chunk := stream.read(SNIFF_CHUNK):
                has_lf, has_cr = has_lf or b"\n" in chunk, has_cr or b"\r" in chunk
    return encoding, _newline(has_lf, has_cr)


def open_list(path: Path) -> TextIO:
    """A hash-list file as a text stream for a format's `read`, decoded as `decode` does."""
    encoding, newline = list_encoding(path)
    return path.open(encoding=encoding, errors="replace", newline=newline)


def text_stream(text: str) -> TextIO:
    """A text already in memory (an upload, a test) as the stream `open_list` would give."""
    return io.StringIO(text, newline=_newline("\n" in text, "\r" in text))
