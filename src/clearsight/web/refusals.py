"""Refused requests go into the audit trail: who was turned away, from what, and why.

A role check, a CSRF failure, a bank outside a token's scope or a missing token is an event a
supervisor must be able to see afterwards (someone probing what they may not do). Each refusal is
audited under the identity the request carried (the session's account, `token:NAME`, or
`anonymous`), with the method, the route path and the status; query strings are left out, as
they could hold a hash or a search. A burst of refusals of one kind is written once a minute with
the count of those it stands for, so a flood cannot flood the trail.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from fastapi import Request

from clearsight.assess.accounts import ANONYMOUS
from clearsight.assess.audit import AuditLog
from clearsight.web.security import SESSION_COOKIE
from clearsight.web.tokens import TokenCheck

AUDITED = frozenset({401, 403})
COALESCE_SECONDS = 60.0


def _identity(request: Request) -> str:
    """The bearer token's name on a request that carries one (API requests; a valid session
    cookie beside it does not speak for it), else the session's account, else `anonymous`."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if token.strip():
        tokens: TokenCheck = request.app.state.tokens
        client = tokens.client(token.strip()) if scheme.lower() == "bearer" else None
        return f"token:{client[0]}" if client is not None else ANONYMOUS
    cookie = request.cookies.get(SESSION_COOKIE)
    found = request.app.state.accounts.session(cookie) if cookie else None
    return str(found[0].name) if found is not None else ANONYMOUS


class RefusalAudit:
    def __init__(self, audit: AuditLog, clock: Callable[[], float] = time.monotonic) -> None:
        self.audit = audit
        self.clock = clock
        self._last: dict[tuple[str, str, int], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def record(self, request: Request, status_code: int, reason: str) -> None:
        """Audit one refusal (or count it into the next entry of its kind, within a minute)."""
        if status_code not in AUDITED:
            return
        actor = _identity(request)
        route = request.scope.get("route")
        path = getattr(route, "path", None) or request.url.path
        key, now = (actor, path, status_code), self.clock()
        with self._lock:
            written, held = self._last.get(key, (float("-inf"), 0))
            if now - written < COALESCE_SECONDS:
                self._last[key] = (written, held + 1)
                return
            self._last[key] = (now, 0)
        details = {"method": request.method, "path": path, "status": status_code, "reason": reason[:200]} | ({"repeats_before": held} if held else {})
        self.audit.append(actor, "request.refused", path, details)
