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
from collections.abc import Callable, Sequence

from clearsight.banks.matcher import Matcher, MatchQuery, MatchReport

_Waiting = tuple[list[MatchQuery], tuple[str, ...] | None, "asyncio.Future[list[MatchReport]]"]


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

    async def match(self, queries: Sequence[MatchQuery], banks: Sequence[str] | None) -> list[MatchReport]:
        """Match these items against the banks (only `banks` when given), together with every
        other lookup waiting at the same moment."""
        matcher = self._matcher if self._matcher is not None else await asyncio.to_thread(self._built)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[MatchReport]] = loop.create_future()
        self._waiting.append((list(queries), tuple(banks) if banks is not None else None, future))
        if len(self._waiting) == 1:
            loop.call_soon(self._drain, matcher)
        return await future

    def _drain(self, matcher: Matcher) -> None:
        """Match everything waiting, one `match_many` per bank scope."""
        waiting, self._waiting = self._waiting, []
        scopes: dict[tuple[str, ...] | None, list[_Waiting]] = {}
        for entry in waiting:
            scopes.setdefault(entry[1], []).append(entry)
        for banks, entries in scopes.items():
            try:
                reports = matcher.match_many([query for queries, _, _ in entries for query in queries], banks)
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
