"""API token checks with a short memory, so a lookup does not pay a database query per request.

A token's answer (live with its banks, or unknown) is kept for `TOKEN_TTL` seconds: a token
revoked or added from another process takes effect within that time on every replica, as a hash
added through another replica does (`banks.matcher.REFRESH_SECONDS`). Only digests are kept,
never the tokens themselves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from clearsight.assess.accounts import Accounts, token_digest

TOKEN_TTL = 1.0
MAX_REMEMBERED = 10_000
"""Most answers kept; a flood of made-up tokens clears the memory rather than growing it."""

ApiClient = tuple[str, list[str] | None]
"""An API client: its token's name, and the banks it may use (None: every bank)."""


class TokenCheck:
    def __init__(self, accounts: Accounts, ttl: float = TOKEN_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self._accounts = accounts
        self._ttl = ttl
        self._clock = clock
        self._answers: dict[str, tuple[float, ApiClient | None]] = {}
        self._lock = threading.Lock()

    def client(self, token: str) -> ApiClient | None:
        """(name, banks) of a live token, or None; at most `ttl` seconds old."""
        digest = token_digest(token)
        now = self._clock()
        with self._lock:
            remembered = self._answers.get(digest)
        if remembered is not None and now - remembered[0] < self._ttl:
            return remembered[1]
        answer = self._accounts.token(token)
        with self._lock:
            if len(self._answers) >= MAX_REMEMBERED:
                self._answers.clear()
            self._answers[digest] = (now, answer)
        return answer
