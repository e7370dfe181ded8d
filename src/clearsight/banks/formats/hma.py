"""The python-threatexchange / HMA signal CSV: `signal_type,signal_value` per row, optionally
more columns (a content id, a classification).

HMA names signal types its own way (`video_md5` for a file MD5); they are mapped to ours.
A header row is optional.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import ClassVar, TextIO

from clearsight.banks.formats.base import ExportContext, ReadOptions, csv_rows
from clearsight.banks.records import HEX_LENGTHS, normalize_hash, optional_text
from clearsight.store.records import BankRecord, RowError

SIGNAL_NAMES = {"pdq": "pdq", "md5": "md5", "video_md5": "md5", "photo_md5": "md5", "sha1": "sha1", "sha256": "sha256"}
_HEX = re.compile(r"(0x)?[0-9a-f]{32,}")
HEADER = ("signal_type", "signal_value", "content_id", "classification")


class HmaFormat:
    name: ClassVar[str] = "hma"

    @staticmethod
    def sniff(head: str) -> bool:
        first = head.lstrip().split("\n", 1)[0].lower()
        cells = [cell.strip() for cell in first.split(",")]
        return cells[0] == "signal_type" or (len(cells) >= 2 and cells[0] in SIGNAL_NAMES and _HEX.fullmatch(cells[1]) is not None)

    @staticmethod
    def read(stream: TextIO, options: ReadOptions) -> Iterator[BankRecord | RowError]:
        for number, row in csv_rows(stream):
            if isinstance(row, RowError):
                yield row
                continue
            if not row or not any(cell.strip() for cell in row) or (number == 1 and row[0].strip().lower() == "signal_type"):
                continue
            if len(row) < 2:
                yield RowError(number, "expected signal_type,signal_value")
                continue
            name = row[0].strip().lower()
            signal = SIGNAL_NAMES.get(name)
            if signal is None:
                yield RowError(number, f"unsupported signal type {name!r} (supported: {', '.join(SIGNAL_NAMES)})")
                continue
            try:
                value = normalize_hash(signal, row[1])
            except ValueError as exc:
                yield RowError(number, str(exc))
                continue
            extra = [optional_text(cell) for cell in row[2:4]] + [None, None]
            yield BankRecord({signal: value}, classification=extra[1], ref=extra[0], attributes={"hma": {"signal_type": name}})

    @staticmethod
    def write(records: Iterable[BankRecord], stream: TextIO, context: ExportContext) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(HEADER)
        for record in records:
            original = record.attributes.get("hma", {}).get("signal_type")
            for signal in HEX_LENGTHS:
                if signal in record.hashes:
                    name = original if original and SIGNAL_NAMES.get(original) == signal else signal
                    writer.writerow([name, record.hashes[signal], record.ref or "", record.classification or ""])
