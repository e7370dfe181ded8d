"""One hash per line, as hotlines paste them into mail: the type is told by the length.

MD5 (32 hex) and SHA-1 (40 hex) are unambiguous; 64 hex digits are SHA-256 or PDQ, so such a
file needs the type given (`--type`). `#` starts a comment; an optional `type:` or `type,`
prefix on a line (`pdq:abc...`) names its type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import ClassVar, TextIO

from clearsight.banks.formats.base import ExportContext, ReadOptions
from clearsight.banks.records import HEX_LENGTHS, normalize_hash
from clearsight.store.records import BankRecord, RowError

_LINE = re.compile(r"^(?:(?P<signal>[a-z0-9_]+)\s*[:,\s]\s*)?(?P<value>(?:0x)?[0-9a-fA-F]+)$")
_BY_LENGTH = {32: "md5", 40: "sha1"}


class LinesFormat:
    name: ClassVar[str] = "lines"

    @staticmethod
    def sniff(head: str) -> bool:
        first = next((line for line in head.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
        return bool(_LINE.match(first.strip().lower()))

    @staticmethod
    def read(stream: TextIO, options: ReadOptions) -> Iterator[BankRecord | RowError]:
        for number, raw in enumerate(stream, start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            match = _LINE.match(line)
            if match is None:
                yield RowError(number, f"not a hash: {line[:80]!r}")
                continue
            value = match["value"]
            hex_length = len(value) - 2 if value.lower().startswith("0x") else len(value)
            signal = (match["signal"] or "").lower() or options.signal or _BY_LENGTH.get(hex_length)
            if signal is None:
                yield RowError(number, f"{hex_length} hex digits could be {'sha256 or pdq' if hex_length == 64 else 'no known hash'}: give --type")
                continue
            try:
                yield BankRecord({signal: normalize_hash(signal, value)})
            except ValueError as exc:
                yield RowError(number, str(exc))

    @staticmethod
    def write(records: Iterable[BankRecord], stream: TextIO, context: ExportContext) -> None:
        for record in records:
            for signal in HEX_LENGTHS:
                if signal in record.hashes:
                    stream.write(f"{signal}:{record.hashes[signal]}\n")
