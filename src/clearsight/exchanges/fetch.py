"""Fetching an exchange into its bank: page by page, each page applied with its checkpoint in one
transaction, under the exchange's lease so that two replicas never fetch it at once.

A fetch that fails (a refused login, a 5xx, malformed data, a page past its time budget) keeps
the bank as the last applied page left it, records why in the exchange's status, and the next
fetch resumes from that page's checkpoint. Whole-source types (`snapshot`) are applied at the end
in one transaction, so a failure part way leaves the bank exactly as it was.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from clearsight.config import Settings
from clearsight.errors import reason
from clearsight.exchanges.redact import redacted
from clearsight.exchanges.registry import exchange_type
from clearsight.exchanges.source import Page
from clearsight.store.exchanges import ExchangeRow, ExchangeStore, SourceItem

log = logging.getLogger(__name__)
PAGE_SECONDS = 300.0
"""The longest wait for one page; past it the fetch fails (a source that never finishes a page)."""
_END = object()


@dataclass
class FetchResult:
    name: str
    fetched: bool
    """False when another fetcher held the exchange (or, for the scheduler, had just fetched it)."""
    pages: int = 0
    items: int = 0
    changed: int = 0
    error: str | None = None


def fetch(store: ExchangeStore, name: str, settings: Settings, only_if_due: bool = False) -> FetchResult:
    """Fetch one exchange until it is up to date or fails (the scheduler's, `only_if_due`)."""
    if not store.take_lease(name, only_if_due):
        return FetchResult(name, fetched=False)
    row = store.get(name)  # read under the lease: a fetch that ended just before starts from its checkpoint
    result = FetchResult(name, fetched=True)
    kind = exchange_type(row.api)
    credentials = store.credentials(row.api)
    try:
        whole: dict[str, SourceItem | None] = {}
        last: tuple[dict[str, Any] | None, int | None] = (row.checkpoint, row.checkpoint_ts)
        for page in _timed(kind.pages(row.config, credentials, None if kind.snapshot else row.checkpoint, settings)):
            result.pages += 1
            result.items += len(page.changes)
            if kind.snapshot:
                whole |= page.changes
                last = (page.checkpoint, page.checkpoint_ts)
            else:
                result.changed += store.apply(row, page.changes, page.checkpoint, page.checkpoint_ts)
        if kind.snapshot:
            result.changed += store.apply(row, whole, last[0], last[1], snapshot=True)
    except Exception as exc:  # noqa: BLE001 - any failure of the source is this exchange's error, recorded, never raised to the scheduler
        result.error = redacted(f"{type(exc).__name__}: {reason(exc)}", credentials)
        log.warning("exchange %s: fetch failed: %s", name, result.error)
    store.finish(name, result.error, up_to_date=result.error is None)
    return result


def _timed(pages: Iterator[Page]) -> Iterator[Page]:
    """The pages, read in a helper thread so that a page that never arrives fails the fetch after
    PAGE_SECONDS (the thread is left to its socket's own timeout; it holds no database state)."""
    found: queue.Queue[Any] = queue.Queue(maxsize=1)

    def read() -> None:
        try:
            for page in pages:
                found.put(page)
            found.put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the fetcher, which records it
            found.put(exc)

    threading.Thread(target=read, name="exchange-page-reader", daemon=True).start()
    while True:
        try:
            item = found.get(timeout=PAGE_SECONDS)
        except queue.Empty:
            raise TimeoutError(f"no page within {PAGE_SECONDS:g} s") from None
        if item is _END:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def due(row: ExchangeRow, now: float) -> bool:
    """Whether an enabled exchange should be fetched now (never fetched, or its interval passed)."""
    return row.enabled and (row.last_fetch_complete_ts is None or now - row.last_fetch_complete_ts >= row.interval_seconds)


class Scheduler:
    """Fetches every due exchange in a background thread of `clearsight serve`; the lease in the
    database makes one fetcher per exchange across replicas."""

    def __init__(self, store: ExchangeStore, settings: Settings, every_seconds: float = 30.0) -> None:
        self.store, self.settings, self.every_seconds = store, settings, every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="exchange-fetcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def run_once(self) -> list[FetchResult]:
        now = time.time()
        return [fetch(self.store, row.name, self.settings, only_if_due=True) for row in self.store.rows() if due(row, now)]

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 - the fetcher thread must outlive a database hiccup
                log.warning("exchange scheduler: %s", type(exc).__name__)
            self._stop.wait(self.every_seconds)
