"""The interface every hash-list format implements: sniff, read, and (for most) write.

A format is one module plus a line in `formats/__init__.py`, like a signal type. Readers yield
records and row errors in file order and never raise for one bad row; they raise `FormatError`
only when the file as a whole cannot be read (not JSON at all, no hash column...).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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
    def read(text: str, options: ReadOptions) -> Iterator[BankRecord | RowError]: ...

    @staticmethod
    def write(records: Iterable[BankRecord], stream: TextIO, context: ExportContext) -> None: ...


def csv_lines(text: str) -> list[str]:
    """A text's lines for the csv module, ends kept, split at \\n only: a stray \\r inside a row
    then reaches the csv module, which refuses that one row, instead of cutting it in two rows
    that each look valid. A file with no \\n at all (classic Mac line ends) is split at \\r."""
    if "\n" not in text:
        return text.splitlines(keepends=True)
    return list(io.StringIO(text))


def csv_rows(lines: list[str], dialect: type[csv.Dialect] | csv.Dialect = csv.excel, first_line: int = 1) -> Iterator[tuple[int, list[str] | RowError]]:
    """(line number, row) of CSV lines, or (line number, RowError) for a row the csv module
    refuses (an over-long field, a stray carriage return), after which reading goes on with the
    next line. `first_line` is the file line number of `lines[0]`."""
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
