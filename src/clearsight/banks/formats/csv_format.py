"""Bank CSV: a header naming hash columns (`md5`, `sha1`, `sha256`, `pdq`), optional
`classification`, `ref` and `pdq_quality`; one item per row.

Tolerates what spreadsheets and partner exports do to CSV: a BOM, header case and spacing,
`;`, tab or `|` as the separator, blank lines, and hash values in upper case or `0x`-prefixed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import ClassVar, TextIO

from clearsight.banks.formats.base import ExportContext, FormatError, ReadOptions, csv_lines, csv_rows
from clearsight.banks.records import HEX_LENGTHS, normalize_hash, optional_text, parse_quality
from clearsight.store.records import BankRecord, RowError

LABEL_ALIASES = {
    "classification": "classification",
    "category": "classification",
    "label": "classification",
    "ref": "ref",
    "reference": "ref",
    "id": "ref",
    "pdq_quality": "quality",
    "quality": "quality",
}
COLUMNS = (*HEX_LENGTHS, "pdq_quality", "classification", "ref")


def _header_name(raw: str) -> str:
    return raw.strip().lstrip("\ufeff").strip().lower().replace(" ", "_").replace("-", "")


def _dialect(first_line: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def header_signals(first_line: str) -> list[str]:
    """The hash columns a header line names (empty when it names none)."""
    row = next(csv.reader([first_line], _dialect(first_line)), [])
    return [name for name in map(_header_name, row) if name in HEX_LENGTHS]


class CsvFormat:
    name: ClassVar[str] = "csv"

    @staticmethod
    def sniff(head: str) -> bool:
        first = head.lstrip().split("\n", 1)[0]
        return bool(header_signals(first)) and "signal_type" not in first.lower()

    @staticmethod
    def read(text: str, options: ReadOptions) -> Iterator[BankRecord | RowError]:
        lines = csv_lines(text)
        start = next((number for number, line in enumerate(lines) if line.strip()), None)
        if start is None:
            return
        try:
            header = [_header_name(name) for name in next(csv.reader(lines[start : start + 1], _dialect(lines[start])), [])]
        except csv.Error as exc:
            raise FormatError(f"unreadable CSV header: {exc}") from None
        if not any(name in HEX_LENGTHS for name in header):
            raise FormatError(f"CSV header names no hash column ({', '.join(HEX_LENGTHS)}): {lines[start][:120]!r}")
        for number, row in csv_rows(lines[start + 1 :], _dialect(lines[start])):
            offset = number + start + 1
            if isinstance(row, RowError):
                yield RowError(offset, row.message)
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                yield RowError(offset, f"{len(row)} fields but the header has {len(header)}")
                continue
            cells = dict(zip(header, row))
            try:
                hashes = {name: normalize_hash(name, cells[name]) for name in HEX_LENGTHS if optional_text(cells.get(name))}
                if not hashes:
                    raise ValueError("no hash in this row")
                labels = {LABEL_ALIASES[name]: optional_text(value) for name, value in cells.items() if name in LABEL_ALIASES}
                yield BankRecord(hashes, labels.get("classification"), labels.get("ref"), parse_quality(labels.get("quality")))
            except ValueError as exc:
                yield RowError(offset, str(exc))

    @staticmethod
    def write(records: Iterable[BankRecord], stream: TextIO, context: ExportContext) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        for record in records:
            hashes = [record.hashes.get(name, "") for name in HEX_LENGTHS]
            writer.writerow([*hashes, "" if record.quality is None else record.quality, record.classification or "", record.ref or ""])
