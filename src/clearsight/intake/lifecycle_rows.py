"""Bulk lifecycle updates as a hotline's systems write them (`clearsight reports update FILE`):
one event per row, `{"report_id", "event", "at", "to"?, "note"?, "url"?}`, as CSV with a header
row or JSON Lines. A crawler's re-check results are `removed` or `still_live` rows.

Rows are read one at a time from the stream, so a file of millions of events is read in bounded
memory, and each row is checked on its own: a bad row is returned with its number and reason.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from clearsight.banks.formats.base import HEAD_CHARS, csv_rows
from clearsight.errors import ClearsightError
from clearsight.intake.reports import MAX_EXTERNAL_ID, MAX_NOTES, checked_fields, json_row, parse_url
from clearsight.intake.times import parse_time
from clearsight.store.lifecycle import LIFECYCLE_EVENTS, NOTICE, REAPPEARED
from clearsight.store.records import EventRecord, RowError

EVENTS = ("notice_sent", *LIFECYCLE_EVENTS)
"""The events a bulk row names; `notice_sent` is stored as the report's `notice` action."""
RECIPIENTS = ("host", "registrar", "inhope_hotline", "police", "platform", "other")
"""Whom a notice or an escalation can go to."""
FUTURE_SLACK = timedelta(minutes=5)
"""How far ahead of this machine's clock an event time may be (clocks differ a little; a typo
of a year must not become a report removed next year)."""


def _event(values: Mapping[str, Any]) -> str:
    raw = str(values.get("event") or "").strip().lower()
    if raw == NOTICE:
        return NOTICE
    if raw not in EVENTS:
        raise ClearsightError(f"event must be one of {', '.join(EVENTS)}, not {raw[:40]!r}")
    return NOTICE if raw == "notice_sent" else raw


def _at(values: Mapping[str, Any]) -> datetime:
    if values.get("at") in (None, ""):
        raise ClearsightError("at (the ISO 8601 time of the event) is required")
    at = parse_time(values["at"], "at")
    if at > datetime.now(UTC) + FUTURE_SLACK:
        raise ClearsightError(f"at is in the future ({at.isoformat()})")
    return at


def parse_recipient(values: Mapping[str, Any]) -> str | None:
    """Whom a notice or escalation went to (`to`), one of `RECIPIENTS`; none when not given."""
    raw = str(values.get("to") or "").strip().lower()
    if raw and raw not in RECIPIENTS:
        raise ClearsightError(f"to must be one of {', '.join(RECIPIENTS)}, not {raw[:40]!r}")
    return raw or None


def _report_ref(values: Mapping[str, Any]) -> str:
    ref = str(values.get("report_id") or "").strip()
    if not ref or len(ref) > MAX_EXTERNAL_ID:
        raise ClearsightError(f"report_id (the report's imported id, up to {MAX_EXTERNAL_ID} characters) is required")
    return ref


def event_record(values: Mapping[str, Any], line: int = 0) -> EventRecord:
    """A checked event from a row's values; ClearsightError naming every bad field."""
    fields = checked_fields({"report_ref": lambda: _report_ref(values), "action": lambda: _event(values), "at": lambda: _at(values),
                             "recipient": lambda: parse_recipient(values),
                             "url": lambda: parse_url(values) if values.get("url") else None})
    if fields["url"] and fields["action"] != REAPPEARED:
        raise ClearsightError("url is only for a reappeared event (the new address the content came back at)")
    return EventRecord(note=str(values.get("note") or "").strip()[:MAX_NOTES] or None, line=line, **fields)


def read_events(stream: TextIO, fmt: str = "auto") -> Iterator[EventRecord | RowError]:
    """Each row of a CSV (header row first) or JSON Lines stream, as an event or as its error."""
    if fmt == "auto":
        fmt = "jsonl" if stream.read(HEAD_CHARS).lstrip().startswith("{") else "csv"
        stream.seek(0)
    if fmt == "jsonl":
        for number, line in enumerate(stream, start=1):
            if line.strip():
                yield _parsed(number, line)
        return
    if fmt != "csv":
        raise ClearsightError("lifecycle update files are csv or jsonl")
    try:
        header = next(csv.reader([stream.readline()]), [])
    except csv.Error as exc:
        raise ClearsightError(f"unreadable CSV header row: {exc}") from None
    names = [name.strip().lower() for name in header]
    missing = [name for name in ("report_id", "event", "at") if name not in names]
    if missing:
        raise ClearsightError(f"a lifecycle CSV needs a header row with {', '.join(missing)} column(s)")
    for number, row in csv_rows(stream, first_line=2):
        yield row if isinstance(row, RowError) else _parsed(number, dict(zip(names, row, strict=False)))


def _parsed(number: int, row: str | dict[str, Any]) -> EventRecord | RowError:
    try:
        return event_record(json_row(row) if isinstance(row, str) else row, number)
    except ClearsightError as exc:
        return RowError(number, str(exc))
