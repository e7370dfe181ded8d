"""Login throttling: exponential backoff per typed account name and per client address.

After `free` failures in a row, each further failure locks its key for `base * 2**n` seconds (n
counting from 0, at most `cap`); while a key is locked every attempt is refused with 429 and
Retry-After, even with the right password, and costs no password check. A success clears the
name's failures; an address's failures are forgotten only after `forget` quiet seconds, so
logging in to one's own account does not reset a spray of guesses at other accounts. Unknown
names are throttled like real ones, so a lock tells nothing about which names exist.

The state lives in the process's memory, as the API's rate limits do (`web.ratelimit`): a login
then costs no extra database write and needs no schema change. The price is that each server
process (`serve --workers N`) keeps its own count, so a guesser gets at most N times the
attempts at each step of a delay that doubles per failure, and a restart forgets; bounded
memory (`MAX_KEYS`, least recently failing key dropped first) keeps a flood of made-up names
from growing it.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 10_000


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0
    last: float = 0.0


class Backoff:
    def __init__(self, free: int, base: float = 1.0, cap: float = 900.0, forget: float = 900.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.base, self.cap, self.forget = free, base, cap, forget
        self.clock = clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int:
        """0 if `key` may try now, else whole seconds until it may."""
        with self._lock:
            found = self._failures.get(key)
        return max(0, math.ceil(found.locked_until - self.clock())) if found is not None else 0

    def failed(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            found = self._failures.pop(key, None)
            if found is None or now - max(found.last, found.locked_until) >= self.forget:
                found = _Failures()
            found.count += 1
            found.last = now
            if found.count >= self.free:
                found.locked_until = now + min(self.cap, self.base * 2 ** min(found.count - self.free, 64))
            self._failures[key] = found
            while len(self._failures) > MAX_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class LoginThrottle:
    """Backoff for the name typed (after 5 failures) and the address typing it (after 20, since
    an office may share one address)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.names = Backoff(free=5, clock=clock)
        self.addresses = Backoff(free=20, clock=clock)

    def retry_after(self, name: str, address: str) -> int:
        return max(self.names.retry_after(name), self.addresses.retry_after(address))

    def failed(self, name: str, address: str) -> None:
        self.names.failed(name)
        self.addresses.failed(address)

    def succeeded(self, name: str) -> None:
        self.names.succeeded(name)
