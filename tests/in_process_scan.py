"""Scanning a test's folder in the test's own process, for tests that need scanned items but are
not about the process pool: a pool costs seconds per test, and the scan tests cover it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from clearsight.config import Settings
from clearsight.item import ItemResult
from clearsight.pipeline.driver import ScanSummary, scan
from clearsight.pipeline.output import record

T = TypeVar("T")
R = TypeVar("R")


class InProcess:
    """Runs the scan's tasks one after another in this process."""

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T], on_crash: Callable[[T, str], R],
                      seconds: Callable[[T], float] | None = None) -> Iterator[R]:
        return map(fn, tasks)


class Quiet:
    def start(self, files: int, total_bytes: int) -> None:
        """No progress to show."""

    def advance(self, files: int, done_bytes: int) -> None:
        """No progress to show."""


def scan_here(folder: Path, db: str) -> None:
    """What `clearsight scan FOLDER --db DB` stores, without its worker processes."""
    scan([str(folder)], Settings(db=db), InProcess(), lambda results: None, Quiet())


def scan_records(roots: list[Path], settings: Settings) -> tuple[list[dict[str, Any]], ScanSummary]:
    """The records `clearsight scan ROOTS --format jsonl` prints (before bank matching), and the summary."""
    results: list[ItemResult] = []
    summary = scan([str(root) for root in roots], settings, InProcess(), results.extend, Quiet())
    return [record(result) for result in results], summary
