"""What every HMA route shares: which paths are HMA's, HMA's error body, its way of reading
booleans and bank lists from a query, and the signal types it knows."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from fastapi import HTTPException, Request
from fastapi.responses import Response

from clearsight.banks.signal_types import SIGNAL_TYPES, SignalType
from clearsight.web.tokens import ApiClient

HMA_VERSION = "1.1.7"
"""The release of HMA (facebook/ThreatExchange, hasher-matcher-actioner) whose routes these follow."""
HMA_PREFIXES = ("/m/", "/h/", "/c/")
HMA_PATHS = frozenset({"/status", "/status/live", "/site-map", "/openapi/openapi.json"})


def is_hma_path(path: str) -> bool:
    """Whether a path is one of HMA's, whose errors are `{"message": ...}` (HMA's clients read that key)."""
    return path.startswith(HMA_PREFIXES) or path in HMA_PATHS


def abort(status_code: int, message: str) -> NoReturn:
    """Refuse the request as HMA's `abort` does; the app answers `{"message": message}` on HMA paths."""
    raise HTTPException(status_code, message)


def audit_change(request: Request, client: ApiClient, action: str, target: str, detail: dict[str, Any] | None = None) -> None:
    """Record a change made through HMA's routes in the audit trail, and have this process's
    lookups see it at once."""
    request.app.state.accounts.audit.append(f"token:{client[0]}", action, target, detail)
    request.app.state.api_matcher.changed()


def json_response(content: Any, status_code: int = 200) -> Response:
    """Compact JSON, without FastAPI's validation and encoding pass (the lookups are hot paths)."""
    return Response(json.dumps(content, separators=(",", ":")), status_code, media_type="application/json")


async def json_object(request: Request, refusal: str) -> dict[str, Any]:
    """The request's JSON body if it is an object, else HMA's 400 with `refusal` (each route words its own)."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        abort(400, refusal)
    return body


def is_true(value: str | None, default: bool = False) -> bool:
    """A query flag as HMA reads it: only "true" (any case) is true."""
    return default if value is None else value.lower() == "true"


def signal_type(name: str) -> SignalType:
    found = SIGNAL_TYPES.get(name)
    if found is None:
        abort(400, f"No such SignalType '{name}'")
    return found


def requested_banks(request: Request, client: ApiClient) -> list[str] | None:
    """The banks a lookup may answer from: those of `banks=` (comma-separated) that this token may
    use, or all this token may use (None: every bank, for a token not limited to banks)."""
    raw = request.query_params.get("banks")
    asked = {name for name in raw.split(",") if name} if raw else None
    if asked is None and client[1] is None:
        return None
    allowed = asked if client[1] is None else (set(client[1]) if asked is None else asked & set(client[1]))
    return sorted(allowed or ())
