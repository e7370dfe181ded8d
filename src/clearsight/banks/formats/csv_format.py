"""Bank CSV: a header naming hash columns (`md5`, `sha1`, `sha256`, `pdq`), optional
`classification`, `ref`, `pdq_quality` and `first_seen` (an ISO 8601 date: when the list's
owner first saw the item); one item per row.

Tolerates what spreadsheets and partner exports do to CSV: a BOM, header case and spacing,
`;`, tab or `|` as the separator, blank lines, and hash values in upper case or `0x`-prefixed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import ClassVar, TextIO

from clearsight.banks.formats.base import ExportContext, FormatError, ReadOptions, csv_rows
from clearsight.banks.records import HEX_LENGTHS, normalize_hash, optional_text, parse_date, parse_quality
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
    "first_seen": "first_seen",
    "firstseen": "first_seen",
}
COLUMNS = (*HEX_LENGTHS, "pdq_quality", "classification", "ref", "first_seen")
"""Written by `bank export`, in this order."""


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
    def read(stream: TextIO, options: ReadOptions) -> Iterator[BankRecord | RowError]:
        lines = iter(stream)
        start, first = next(((number, line) for number, line in enumerate(lines, start=1) if line.strip()), (0, ""))
        if not first:
            return
        dialect = _dialect(first)
        try:
            header = [_header_name(name) for name in next(csv.reader([first], dialect), [])]
        except csv.Error as exc:
            raise FormatError(f"unreadable CSV header: {exc}") from None
        hash_columns = [(column, name) for column, name in enumerate(header) if name in HEX_LENGTHS]
        if not hash_columns:
            raise FormatError(f"CSV header names no hash column ({', '.join(HEX_LENGTHS)}): {first[:120]!r}")
        label_columns = [(column, LABEL_ALIASES[name]) for column, name in enumerate(header) if name in LABEL_ALIASES]
        for number, row in csv_rows(lines, dialect, first_line=start + 1):
            if isinstance(row, RowError):
                yield row
                continue
            if not "".join(row).strip():
                continue
            if len(row) > len(header):
                yield RowError(number, f"{len(row)} fields but the header has {len(header)}")
                continue
            try:
                hashes = {name: normalize_hash(name, row[column]) for column, name in hash_columns if column < len(row) and row[column].strip()}
                if not hashes:
                    raise ValueError("no hash in this row")
                labels = {label: optional_text(row[column]) for column, label in label_columns if column < len(row)}
                yield BankRecord(hashes, labels.get("classification"), labels.get("ref"), parse_quality(labels.get("quality")),
                                 first_seen=parse_date(labels.get("first_seen")))
            except ValueError as exc:
                yield RowError(number, str(exc))

    @staticmethod
    def write(records: Iterable[BankRecord], stream: TextIO, context: ExportContext) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        for record in records:
            hashes = [record.hashes.get(name, "") for name in HEX_LENGTHS]
            writer.writerow([*hashes, "" if record.quality is None else record.quality, record.classification or "", record.ref or "",
                             record.first_seen.isoformat() if record.first_seen else ""])
