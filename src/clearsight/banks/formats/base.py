"""The interface every hash-list format implements: sniff, read, and (for most) write.

A format is one module plus a line in `formats/__init__.py`, like a signal type. Readers yield
records and row errors in file order and never raise for one bad row; they raise `FormatError`
only when the file as a whole cannot be read (not JSON at all, no hash column...).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar, Protocol, TextIO

from clearsight.banks.records import BankRecord, RowError
from clearsight.errors import ClearsightError


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


def csv_rows(lines: list[str], dialect: type[csv.Dialect] | csv.Dialect = csv.excel) -> Iterator[tuple[int, list[str] | RowError]]:
    """(line number, row) of CSV lines, or (line number, RowError) for a row the csv module
    refuses (an over-long field, say), after which reading goes on with the next line."""
    reader = csv.reader(lines, dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, RowError(reader.line_num, f"unreadable CSV row: {exc}")
            continue
        yield reader.line_num, row


def decode(data: bytes) -> str:
    """Text of a hash-list file: UTF-8 with or without BOM, UTF-16 with BOM, else Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")
