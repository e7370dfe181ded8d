"""The scan driver: walk, skip what is done, run the stages, commit, and emit each item once.

A scan is identified by its roots. Running the same scan again after a kill resumes the same
run: files whose results were committed are not read again, and the output starts with the
items already recorded, so a resumed scan's output still lists every item exactly once. Running
it again after it finished starts a new run that reuses (links) every unchanged file's results,
once its bytes are checked to be those recorded (`pipeline.verify`; skipped with `trust_mtime`).
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

from clearsight.config import Limits, Settings
from clearsight.intake.walk import Entry, walk
from clearsight.item import ItemResult
from clearsight.pipeline.executor import Executor
from clearsight.pipeline.process import process_entry
from clearsight.pipeline.verify import content_digest, unreadable
from clearsight.store.db import open_engine
from clearsight.store.scans import ScanStore, version_key

COMMIT_EVERY_ITEMS = 256
COMMIT_EVERY_SECONDS = 0.5


class ProgressListener(Protocol):
    def start(self, files: int, total_bytes: int) -> None: ...

    def advance(self, files: int, done_bytes: int) -> None: ...


@dataclass
class ScanSummary:
    run_id: int
    resumed: bool
    by_type: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    reused: int = 0
    """Items already recorded (by this run before a kill, or by an earlier run) and not redone."""
    processed: int = 0
    changed: int = 0
    """Files recorded before whose bytes changed under the same path, size and mtime: processed again as new versions."""
    seconds: float = 0.0

    @property
    def items(self) -> int:
        return sum(self.by_type.values())

    @property
    def items_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds > 0 else 0.0


def item_seconds(entry: Entry, limits: Limits) -> float:
    """A file's time budget: a base, and more per MiB (hashing a long video takes longer)."""
    return limits.seconds_for(entry.size)


def _crashed(entry: Entry, why: str) -> list[ItemResult]:
    result = ItemResult(path=entry.path, size=entry.size, mtime_ns=entry.mtime_ns)
    result.errors.append(("worker", why))
    return [result]


def _unique_entries(roots: list[str]) -> list[tuple[str, Entry]]:
    """Walked entries with their version keys, each file once even if roots overlap."""
    seen: dict[str, Entry] = {}
    for entry in walk(roots):
        seen.setdefault(version_key("", entry.path, entry.size, entry.mtime_ns), entry)
    return list(seen.items())


def _changed(earlier: list[tuple[str, Entry]], finished: dict[str, int], in_run: set[int], store: ScanStore,
             executor: Executor) -> dict[str, tuple[str, str]]:
    """Of the recorded files about to be reused, those whose bytes are not the recorded ones:
    walk key to (the key of their new version, its SHA-256). Files recorded without a SHA-256
    (an error) or unreadable now have nothing to compare and are reused."""
    recorded = store.sha256_of([finished[key] for key, _ in earlier])
    if not recorded:
        return {}
    tasks = {key: entry for key, entry in earlier if finished[key] in recorded}
    changed: dict[str, tuple[str, str]] = {}
    for key, digest in executor.map_unordered(content_digest, list(tasks.items()), unreadable):
        if digest is not None and digest != recorded[finished[key]]:
            entry = tasks[key]
            changed[key] = (version_key("", entry.path, entry.size, entry.mtime_ns, content=digest), digest)
    return changed


def scan(
    roots: list[str],
    settings: Settings,
    executor: Executor,
    emit: Callable[[list[ItemResult]], None],
    progress: ProgressListener,
) -> ScanSummary:
    """Scan the roots into the case database, calling `emit` with every item of the run once, in
    batches (up to COMMIT_EVERY_ITEMS, each after its commit): a caller matching items against
    banks asks the store once per batch, not once per item."""
    started = time.monotonic()
    store = ScanStore(open_engine(settings.db))
    run_id, resumed = store.open_run(roots)
    summary = ScanSummary(run_id=run_id, resumed=resumed)

    def emit_counted(results: Iterable[ItemResult], reused: bool) -> None:
        stream = iter(results)
        while batch := list(itertools.islice(stream, COMMIT_EVERY_ITEMS)):
            for result in batch:
                summary.by_type[result.media_type] += 1
                summary.errors += bool(result.errors)
            if reused:
                summary.reused += len(batch)
            else:
                summary.processed += len(batch)
            emit(batch)

    entries = _unique_entries(roots)
    progress.start(len(entries), sum(entry.size for _, entry in entries))
    finished = store.finished_files()
    in_run = store.run_files(run_id)
    emit_counted(store.results(run_id), reused=True)
    earlier = [(key, entry) for key, entry in entries if key in finished and finished[key] not in in_run]
    changed = {} if settings.trust_mtime else _changed(earlier, finished, in_run, store, executor)
    summary.changed = len(changed)
    to_link: list[int] = []
    todo = [entry for key, entry in entries if key not in finished]
    new_content: dict[str, str] = {}
    for key, entry in earlier:
        if key not in changed:
            to_link.append(finished[key])
            continue
        new_key, digest = changed[key]
        if new_key not in finished:
            todo.append(entry)
            new_content[entry.path] = digest
        elif finished[new_key] not in in_run:  # the new bytes were recorded already (an earlier re-scan)
            to_link.append(finished[new_key])
    store.link(run_id, to_link)
    emit_counted(store.results(run_id, to_link), reused=True)
    progress.advance(len(entries) - len(todo), sum(entry.size for key, entry in entries if key in finished))

    batch: list[list[ItemResult]] = []
    last_commit = time.monotonic()

    def commit() -> None:
        nonlocal batch, last_commit
        store.save(run_id, batch)
        emit_counted(itertools.chain.from_iterable(batch), reused=False)
        batch, last_commit = [], time.monotonic()

    try:
        for group in executor.map_unordered(partial(process_entry, settings=settings), todo, _crashed, partial(item_seconds, limits=settings.limits)):
            if group[0].path in new_content:
                group[0].changed_content = new_content[group[0].path]
            batch.append(group)
            progress.advance(1, group[0].size)
            if sum(map(len, batch)) >= COMMIT_EVERY_ITEMS or time.monotonic() - last_commit >= COMMIT_EVERY_SECONDS:
                commit()
    finally:
        if batch:
            commit()
    store.finish_run(run_id)
    summary.seconds = time.monotonic() - started
    return summary
