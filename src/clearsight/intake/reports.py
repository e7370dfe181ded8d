"""URL reports as hotlines receive them: the fields, their allowed values, and reading CSV and JSONL.

One report is one URL (ARCHITECTURE.md's Report). Files of reports come from a hotline's
intake system, partners or a crawler, and one bad row must not cost the others: each row is
checked on its own and a bad one is returned with its row number and reason.

In CSV the actions column holds `action@time` pairs separated by `;`
(`notice@2026-03-01T10:00:00Z;inhope_forward@2026-03-01T11:00:00Z`); in JSONL, `actions` is a
list of `{"action": ..., "at": ...}` objects.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from clearsight.errors import ClearsightError

SOURCES = ("public", "proactive", "police", "member", "inhope_hotline", "child_service", "platform")
WEB_LAYERS = ("clear", "dark")
SITE_TYPES = ("image_host", "cyberlocker", "forum", "image_store", "video_channel", "social_network", "website", "blog", "ai_gallery",
              "ai_chatbot", "ai_generator_service", "messaging", "other")
COMMERCIAL = ("none", "indirect", "direct")
OUTCOMES = ("actioned", "not_actioned", "duplicate_report")
ACTIONS = ("notice", "inhope_forward", "le_referral", "url_list_add", "ncmec_report")
MAX_URL = 4096


@dataclass
class ReportRecord:
    url: str
    source: str
    site_type: str = "other"
    web_layer: str = "clear"
    hosting_country: str | None = None
    commercial: str = "none"
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    outcome: str | None = None
    notes: str | None = None
    actions: list[tuple[str, datetime]] = field(default_factory=list)

    @property
    def domain(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


def parse_time(raw: Any, name: str) -> datetime:
    try:
        at = datetime.fromisoformat(str(raw).strip())
    except ValueError:
        raise ClearsightError(f"{name} must be an ISO 8601 time, not {str(raw)[:40]!r}") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _choice(values: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    raw = str(values.get(name) or "").strip().lower()
    if not raw:
        if default is None and name == "source":
            raise ClearsightError(f"source is required (one of {', '.join(allowed)})")
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


def report_record(values: Mapping[str, Any]) -> ReportRecord:
    """A checked report from form, CSV or JSON values; ClearsightError naming the first bad field."""
    url = str(values.get("url") or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        raise ClearsightError("url must be an http or https address with a host")
    country = str(values.get("hosting_country") or "").strip().upper() or None
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise ClearsightError("hosting country must be a two-letter ISO 3166 code")
    received = values.get("received_at")
    return ReportRecord(
        url=url,
        source=_choice(values, "source", SOURCES, None) or "",
        site_type=_choice(values, "site_type", SITE_TYPES, "other") or "other",
        web_layer=_choice(values, "web_layer", WEB_LAYERS, "clear") or "clear",
        hosting_country=country,
        commercial=_choice(values, "commercial", COMMERCIAL, "none") or "none",
        received_at=parse_time(received, "received at") if received else datetime.now(UTC),
        outcome=_choice(values, "outcome", OUTCOMES, None),
        notes=str(values.get("notes") or "").strip() or None,
        actions=_actions(values.get("actions")),
    )


def read_reports(data: bytes, fmt: str = "auto") -> Iterator[ReportRecord | RowError]:
    """Each row of a CSV (header row first) or JSON Lines file, as a record or as its error."""
    text = data.decode("utf-8-sig", errors="replace")
    if fmt == "auto":
        fmt = "jsonl" if text.lstrip().startswith("{") else "csv"
    if fmt not in ("csv", "jsonl"):
        raise ClearsightError("report files are csv or jsonl")
    rows: Iterator[tuple[int, Any]]
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "url" not in [name.strip().lower() for name in reader.fieldnames]:
            raise ClearsightError("a report CSV needs a header row with a url column")
        rows = ((number, {str(key).strip().lower(): value for key, value in row.items()}) for number, row in enumerate(reader, start=2))
    else:
        rows = ((number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip())
    for number, row in rows:
        try:
            if isinstance(row, str):
                try:
                    row = json.loads(row)
                except json.JSONDecodeError as exc:
                    raise ClearsightError(f"not JSON: {exc.msg}") from None
                if not isinstance(row, dict):
                    raise ClearsightError("each line must be a JSON object")
            yield report_record(row)
        except ClearsightError as exc:
            yield RowError(number, str(exc))
