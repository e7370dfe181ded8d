"""URL reports as hotlines receive them: the fields, their allowed values, and reading CSV and JSONL.

One report is one URL (ARCHITECTURE.md's Report), read into a `store.records.ReportRecord`.
Files of reports come from a hotline's intake system, partners or a crawler, and one bad row
must not cost the others: each row is checked on its own and a bad one is returned with its row
number and reason.

In CSV the actions column holds `action@time` pairs separated by `;`
(`notice@2026-03-01T10:00:00Z;inhope_forward@2026-03-01T11:00:00Z`); in JSONL, `actions` is a
list of `{"action": ..., "at": ...}` objects.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from clearsight.banks.formats.base import csv_rows, decode, loads, text_stream
from clearsight.errors import ClearsightError
from clearsight.intake.graded_items import ITEM_FIELDS, item_records
from clearsight.intake.times import parse_time
from clearsight.store.lifecycle import LIFECYCLE_EVENTS, NOTICE
from clearsight.store.records import ReportRecord, RowError

SOURCES = ("public", "proactive", "police", "member", "inhope_hotline", "child_service", "platform")
WEB_LAYERS = ("clear", "dark")
SITE_TYPES = ("image_host", "cyberlocker", "forum", "image_store", "video_channel", "social_network", "website", "blog", "ai_gallery",
              "ai_chatbot", "ai_generator_service", "messaging", "other")
COMMERCIAL = ("none", "indirect", "direct")
OUTCOMES = ("actioned", "not_actioned", "duplicate_report")
ACTIONS = (NOTICE, "inhope_forward", "le_referral", "url_list_add", "ncmec_report", *LIFECYCLE_EVENTS)
"""What is done about a report and what is then observed of its URL: its takedown lifecycle."""
MAX_URL = 4096
MAX_NOTES = 10_000
MAX_EXTERNAL_ID = 128


def _choice(values: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: str | None, required: bool = False) -> str | None:
    raw = str(values.get(name) or "").strip().lower()
    if not raw:
        if required:
            raise ClearsightError(f"{name.replace('_', ' ')} is required (one of {', '.join(allowed)})")
        return default
    if raw not in allowed:
        raise ClearsightError(f"{name.replace('_', ' ')} must be one of {', '.join(allowed)}, not {raw[:40]!r}")
    return raw


def parse_action(name: Any, at: Any) -> tuple[str, datetime]:
    """One action on a report and its time (now when no time is given)."""
    action = str(name or "").strip().lower()
    if action not in ACTIONS:
        raise ClearsightError(f"action must be one of {', '.join(ACTIONS)}, not {action[:40]!r}")
    return action, parse_time(at, "action time") if at not in (None, "") else datetime.now(UTC)


def _actions(raw: Any) -> list[tuple[str, datetime]]:
    if raw in (None, ""):
        return []
    pairs = raw if isinstance(raw, list) else [dict(zip(("action", "at"), part.split("@", 1), strict=False)) for part in str(raw).split(";") if part.strip()]
    if not all(isinstance(pair, dict) and pair.get("at") for pair in pairs):
        raise ClearsightError("each action needs a name and a time (action@time)")
    return [parse_action(pair.get("action"), pair["at"]) for pair in pairs]


def parse_url(values: Mapping[str, Any]) -> str:
    url = str(values.get("url") or "").strip()
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname
    except ValueError:  # an unclosed IPv6 bracket, a bad port
        scheme, host = "", None
    if scheme not in ("http", "https") or not host or len(url) > MAX_URL:
        raise ClearsightError("url must be an http or https address with a host")
    return url


def _country(values: Mapping[str, Any]) -> str | None:
    country = str(values.get("hosting_country") or "").strip().upper() or None
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise ClearsightError("hosting country must be a two-letter ISO 3166 code")
    return country


def _received(values: Mapping[str, Any]) -> datetime:
    received = values.get("received_at")
    return parse_time(received, "received at") if received else datetime.now(UTC)


def checked_fields(checks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every field's check; ClearsightError listing every field that failed, not only the first."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, check in checks.items():
        try:
            values[name] = check()
        except ClearsightError as exc:
            problems.append(str(exc))
    if problems:
        raise ClearsightError("; ".join(problems))
    return values


def report_record(values: Mapping[str, Any]) -> ReportRecord:
    """A checked report from form, CSV or JSON values (with its graded items, for records from
    another system); ClearsightError naming every bad field."""
    fields = checked_fields({
        "url": lambda: parse_url(values),
        "source": lambda: _choice(values, "source", SOURCES, None, required=True) or "",
        "site_type": lambda: _choice(values, "site_type", SITE_TYPES, "other") or "other",
        "web_layer": lambda: _choice(values, "web_layer", WEB_LAYERS, "clear") or "clear",
        "hosting_country": lambda: _country(values),
        "commercial": lambda: _choice(values, "commercial", COMMERCIAL, "none") or "none",
        "received_at": lambda: _received(values),
        "outcome": lambda: _choice(values, "outcome", OUTCOMES, None),
        "actions": lambda: _actions(values.get("actions")),
        "items": lambda: item_records(values.get("items")),
    })
    external = str(values.get("report_id") or "").strip()[:MAX_EXTERNAL_ID] or None
    return ReportRecord(notes=str(values.get("notes") or "").strip()[:MAX_NOTES] or None, external_id=external, **fields)


def read_reports(data: bytes, fmt: str = "auto") -> Iterator[ReportRecord | RowError]:
    """Each row of a CSV (header row first) or JSON Lines file, as a record or as its error."""
    text = decode(data)
    if fmt == "auto":
        fmt = "jsonl" if text.lstrip().startswith("{") else "csv"
    if fmt not in ("csv", "jsonl"):
        raise ClearsightError("report files are csv or jsonl")
    rows: Iterator[tuple[int, Any]]
    if fmt == "csv":
        lines = iter(text_stream(text))
        try:
            header = next(csv.reader([next(lines, "")]), [])
        except csv.Error as exc:
            raise ClearsightError(f"unreadable CSV header row: {exc}") from None
        names = [name.strip().lower() for name in header]
        if "url" not in names:
            raise ClearsightError("a report CSV needs a header row with a url column")
        rows = ((number, row if isinstance(row, RowError) else _csv_row(dict(zip(names, row, strict=False))))
                for number, row in csv_rows(lines, first_line=2))
        yield from _merged(_parsed(rows))
        return
    else:
        rows = ((number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip())
    yield from _parsed(rows)


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """A CSV row with item columns carries one graded item (rows of one report_id are merged later);
    `outcome` is then the item's, and the report's outcome is in `report_outcome`."""
    if row.get("item_id"):
        row["items"] = [{name: row.get(name) for name in ITEM_FIELDS}]
        row["outcome"] = row.get("report_outcome")
    return row


def _merged(parsed: Iterator[ReportRecord | RowError]) -> Iterator[ReportRecord | RowError]:
    """CSV rows of the same report_id as one report: the first row's report fields, every row's items."""
    by_id: dict[str, ReportRecord] = {}
    out: list[ReportRecord | RowError] = []
    for row in parsed:
        if isinstance(row, ReportRecord) and row.external_id and row.external_id in by_id:
            by_id[row.external_id].items.extend(row.items)
            continue
        if isinstance(row, ReportRecord) and row.external_id:
            by_id[row.external_id] = row
        out.append(row)
    yield from out


def json_row(line: str) -> dict[str, Any]:
    """One JSON Lines row as an object; ClearsightError for a line that is not one."""
    try:
        row = loads(line)
    except json.JSONDecodeError as exc:
        raise ClearsightError(f"not JSON: {exc.msg}") from None
    if not isinstance(row, dict):
        raise ClearsightError("each line must be a JSON object")
    return row


def _parsed(rows: Iterator[tuple[int, Any]]) -> Iterator[ReportRecord | RowError]:
    for number, row in rows:
        if isinstance(row, RowError):
            yield row
            continue
        try:
            record = report_record(json_row(row) if isinstance(row, str) else row)
            record.line = number
            yield record
        except ClearsightError as exc:
            yield RowError(number, str(exc))
