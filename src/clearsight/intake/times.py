"""Times in imported files: ISO 8601, a trailing Z allowed, UTC when no zone is given; always
returned in UTC, because SQLite keeps a time's wall clock without its zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clearsight.errors import ClearsightError


def parse_time(raw: Any, name: str) -> datetime:
    try:
        at = datetime.fromisoformat(str(raw).strip())
    except ValueError:
        raise ClearsightError(f"{name} must be an ISO 8601 time, not {str(raw)[:40]!r}") from None
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
