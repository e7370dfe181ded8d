"""The API's matcher: one per process, shared by every lookup, with concurrent lookups coalesced.

A single-hash PDQ lookup alone costs the index about 500 microseconds at a million hashes, most of
it numpy's per-call cost and cold-cache reads; in a batch of 16 or more queries it costs under
200 (see `banks.index`). So lookups are not matched one by one: each waits on a future, and
the first to arrive schedules one drain of everything waiting on the event loop. Requests parsed
in the same turn of the loop are matched together; an idle server adds no delay to a lone
lookup, and a busy one batches by itself, because requests pile up while a batch is matched.

Matching runs on the event loop thread (no thread-pool hand-off per lookup, and no lock: the
index is only touched there); only the build of the index, seconds at millions of hashes, runs
in another thread (at start for `serve --api`), so the health routes answer meanwhile.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from clearsight.banks.matcher import Matcher, MatchQuery, MatchReport, Reach
from clearsight.banks.signal_types import SIGNAL_TYPES

_Scope = tuple[tuple[str, ...] | None, Reach]
_Waiting = tuple[list[MatchQuery], _Scope, "asyncio.Future[list[MatchReport]]"]
KEEP_CURRENT_SECONDS = 30
"""How often an idle API server catches up with the store (HMA's index refresh interval)."""
STALE_SECONDS = 65
"""An index not caught up for this long is stale (HMA's INDEX_CACHE_MAX_STALE_SEC)."""


class SharedMatcher:
    def __init__(self, build: Callable[[], Matcher]) -> None:
        self._build = build
        self._matcher: Matcher | None = None
        self._building = threading.Lock()
        self._waiting: list[_Waiting] = []

    def _built(self) -> Matcher:
        with self._building:
            if self._matcher is None:
                self._matcher = self._build()
                # The heap now has its steady shape; frozen, full collections stop walking it (they
                # showed as pauses of 100 ms and more in the lookups' p99).
                gc.collect()
                gc.freeze()
            return self._matcher

    def start(self) -> None:
        """Build the index in a background thread now rather than on the first lookup."""
        threading.Thread(target=self._built, name="pdq-index", daemon=True).start()

    async def keep_current(self) -> None:
        """Catch up with the store every KEEP_CURRENT_SECONDS, lookups or not, so `/status`
        tells a stale index from a quiet one (run as a task for the server's life)."""
        while True:
            await asyncio.sleep(KEEP_CURRENT_SECONDS)
            if self._matcher is not None:
                self._matcher.refresh()

    def changed(self) -> None:
        """A bank changed through this process: the next lookup sees it (other processes within
        `banks.matcher.REFRESH_SECONDS`)."""
        if self._matcher is not None:
            self._matcher.expire()

    def readiness(self) -> str | None:
        """Why lookups cannot be trusted now (HMA's /status reasons), None when they can."""
        if self._matcher is None:
            return "INDEX-NOT-LOADED"
        if time.time() - self._matcher.refreshed_at > STALE_SECONDS:
            return "INDEX-STALE"
        return None

    async def current(self) -> Matcher:
        """The matcher, built if need be, caught up with the store now."""
        matcher = self._matcher if self._matcher is not None else await asyncio.to_thread(self._built)
        matcher.refresh()
        return matcher

    async def bank_ratios(self) -> dict[str, float]:
        """Each bank's `enabled_ratio` as the matcher last read it."""
        matcher = self._matcher if self._matcher is not None else await asyncio.to_thread(self._built)
        matcher.catch_up()
        return {bank.name: bank.enabled_ratio for bank in matcher.banks.values()}

    async def index_status(self) -> dict[str, dict[str, Any]]:
        """HMA's index status of each signal type: the PDQ index in memory; the exact digests,
        which the database's index answers, present as soon as the matcher is."""
        matcher = await self.current()
        counts = matcher.store.hash_counts()
        counts["pdq"] = len(matcher.index)
        built_to = int(matcher.refreshed_at)
        return {name: {"present": True, "built_to": built_to, "size": counts.get(name, 0)} for name in SIGNAL_TYPES}

    async def match(self, queries: Sequence[MatchQuery], banks: Sequence[str] | None, reach: Reach = Reach.ENABLED) -> list[MatchReport]:
        """Match these items against the banks (only `banks` when given), together with every
        other lookup waiting at the same moment."""
        matcher = self._matcher if self._matcher is not None else await asyncio.to_thread(self._built)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[MatchReport]] = loop.create_future()
        self._waiting.append((list(queries), (tuple(banks) if banks is not None else None, reach), future))
        if len(self._waiting) == 1:
            loop.call_soon(self._drain, matcher)
        return await future

    def _drain(self, matcher: Matcher) -> None:
        """Match everything waiting, one `match_many` per bank scope."""
        waiting, self._waiting = self._waiting, []
        scopes: dict[_Scope, list[_Waiting]] = {}
        for entry in waiting:
            scopes.setdefault(entry[1], []).append(entry)
        for (banks, reach), entries in scopes.items():
            try:
                reports = matcher.match_many([query for queries, _, _ in entries for query in queries], banks, reach)
            except Exception as exc:  # noqa: BLE001 - each waiting request gets the error rather than hanging
                for _, _, future in entries:
                    if not future.done():
                        future.set_exception(exc)
                continue
            start = 0
            for queries, _, future in entries:
                if not future.done():  # a client that went away leaves a cancelled future
                    future.set_result(reports[start : start + len(queries)])
                start += len(queries)

    def size(self) -> int | None:
        """PDQ hashes in the index, None before it is built."""
        return len(self._matcher.index) if self._matcher is not None else None
