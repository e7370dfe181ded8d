"""Credentials out of error messages. The libraries' HTTP errors name the URL they asked for, and
ThreatExchange's carries its access token in the query, so a failed fetch's reason (kept in the
exchange's status, printed by `exchange show`, logged) would hand the token on. Every credential
value is masked, raw and URL-quoted, and every URL loses its query string."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "[credential]"
_QUERY = re.compile(r"(https?://[^\s?#]+)\?[^\s#]*")
MIN_SECRET = 4
"""Shorter values (a flag, a port) are left: masking them would garble the message, not protect it."""


def redacted(message: str, credentials: dict[str, Any] | None) -> str:
    for value in (credentials or {}).values():
        if isinstance(value, str) and len(value) >= MIN_SECRET:
            for form in {value, quote(value, safe=""), quote_plus(value)}:
                message = message.replace(form, MASK)
    return _QUERY.sub(r"\1?…", message)
