"""The values a hash list's fields hold, independent of its file format: the bankable hash types
and their hex form, PDQ qualities, dates, optional text and whole numbers.

The entries themselves (`BankRecord`) and the refused rows (`RowError`) are in `store.records`, so
the store writes and reads them back without importing the banks layer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

HEX_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}
"""Hex length of each bankable signal; the hash types a bank may hold."""

_HEX_VALUES = {signal: re.compile(rf"\s*(?:0[xX])?([0-9a-fA-F]{{{length}}})\s*") for signal, length in HEX_LENGTHS.items()}
"""Each signal's value as lists write it: any case, an optional `0x`, spaces around."""


def normalize_hash(signal: str, value: str) -> str:
    """Lower-case hex of `value` as a `signal` hash; ValueError saying what is wrong otherwise.
    One match of a compiled pattern per value: a million-row list holds four million of them."""
    pattern = _HEX_VALUES.get(signal)
    if pattern is None:
        raise ValueError(f"unknown hash type {signal!r} (known: {', '.join(HEX_LENGTHS)})")
    match = pattern.fullmatch(value)
    if match is None:
        raise ValueError(f"{signal} must be {HEX_LENGTHS[signal]} hex digits, got {value.strip()[:80]!r}")
    return match[1].lower()


def optional_text(value: Any) -> str | None:
    """A stripped string, or None for missing and blank values."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def whole_number(text: str) -> int:
    """An integer from "3", "3.0" or 3; ValueError (never OverflowError) for anything else."""
    number = float(text)
    if not number.is_integer():
        raise ValueError(f"not a whole number: {text[:40]!r}")
    return int(number)


def parse_quality(value: Any) -> int | None:
    """A PDQ quality 0-100 from text or number; ValueError when it is something else."""
    text = optional_text(value)
    if text is None:
        return None
    quality = whole_number(text)
    if not 0 <= quality <= 100:
        raise ValueError(f"quality must be 0-100, got {text}")
    return quality


def parse_date(value: Any) -> date | None:
    """The calendar date of an ISO 8601 date or date-time (`2015-03-01`, `2015-03-01T10:00:00Z`),
    None for blank; ValueError for anything else (a spreadsheet's `01/03/2015` is ambiguous)."""
    text = optional_text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(f"first_seen must be an ISO 8601 date (YYYY-MM-DD), got {text[:40]!r}") from None


def earliest_date(values: Iterable[Any]) -> date | None:
    """The earliest of the dates a format's record gives (each attests that the item existed then);
    values that are not ISO 8601 dates are left out rather than refusing the record."""
    dates = []
    for value in values:
        try:
            found = parse_date(value)
        except ValueError:
            continue
        if found is not None:
            dates.append(found)
    return min(dates, default=None)
