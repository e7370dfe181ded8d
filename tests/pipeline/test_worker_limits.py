"""Each scan worker lives within a memory limit and each task within a time budget: a task past
either is that task's error, its worker is replaced, and the other tasks finish."""

from __future__ import annotations

import time

from clearsight.config import Limits, MiB
from clearsight.intake.walk import Entry
from clearsight.pipeline.driver import item_seconds
from clearsight.pipeline.local import LocalExecutor


def _echo_unless_stuck(task: str) -> str:
    while task == "stuck":  # a decoder that never returns
        time.sleep(0.05)
    return task


def _allocate(task: str) -> str:
    if task == "hungry":
        return str(len(bytearray(2 * 1024 * MiB)))
    return task


def _reported(task: str, why: str) -> str:
    return f"{task}: {why}"


def test_a_task_past_its_time_budget_is_its_error_and_the_others_finish() -> None:
    started = time.monotonic()
    results = list(LocalExecutor(2).map_unordered(_echo_unless_stuck, ["a", "stuck", "b", "c", "d"], _reported, seconds=lambda task: 1.5))
    assert sorted(result for result in results if not result.startswith("stuck")) == ["a", "b", "c", "d"]
    (stuck,) = [result for result in results if result.startswith("stuck")]
    assert "took longer than its 2 s budget (CLEARSIGHT_MAX_ITEM_SECONDS" in stuck and "worker replaced" in stuck
    assert time.monotonic() - started < 20


def test_a_task_needing_more_memory_than_a_worker_may_use_is_its_error() -> None:
    results = sorted(LocalExecutor(1, memory_bytes=1024 * MiB).map_unordered(_allocate, ["hungry", "fine"], _reported))
    assert results[0] == "fine"
    assert results[1].startswith("hungry: internal error: MemoryError")


def test_a_files_time_budget_grows_with_its_size() -> None:
    limits = Limits()
    assert item_seconds(Entry("photo.jpg", 3 * MiB, 0), limits) == 63
    assert item_seconds(Entry("film.mp4", 2048 * MiB, 0), limits) == 60 + 2048
