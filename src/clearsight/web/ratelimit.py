"""Per-client rate limits for the API: a token bucket per API token, refused with 429 and Retry-After.

Kept in the process's memory: each API replica limits what it serves itself, which bounds a
client at (replicas x rate) in all; that is the usual trade for not adding a shared store to the
path of every lookup.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, 2 * rate)
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """0 when `client` may make a request now (which is counted), else whole seconds to wait."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.setdefault(client, _Bucket(self.burst, now))
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0
            return max(1, math.ceil((1 - bucket.tokens) / self.rate))
