"""Scanning a test's folder in the test's own process, for tests that need scanned items but are
not about the scan: a process pool costs seconds per test, and the scan tests cover it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from clearsight.config import Settings
from clearsight.pipeline.driver import scan

T = TypeVar("T")
R = TypeVar("R")


class InProcess:
    """Runs the scan's tasks one after another in this process."""

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T], on_crash: Callable[[T], R]) -> Iterator[R]:
        return map(fn, tasks)


class Quiet:
    def start(self, files: int, total_bytes: int) -> None:
        """No progress to show."""

    def advance(self, files: int, done_bytes: int) -> None:
        """No progress to show."""


def scan_here(folder: Path, db: str) -> None:
    """What `clearsight scan FOLDER --db DB` stores, without its worker processes."""
    scan([str(folder)], Settings(db=db), InProcess(), lambda result: None, Quiet())
