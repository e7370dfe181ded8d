"""Run tasks on a local process pool, sized to the cores by default.

Submissions are bounded (a few tasks per worker in flight), so walking a million files does not
queue a million futures. When a worker process dies, every task that was in flight is rerun
alone in a fresh pool: the innocent ones finish, and only the task that kills its worker again
is reported through `on_crash`.

Each worker is held to an address-space limit (RLIMIT_AS), so an allocation past it fails in
that worker (a MemoryError, the item's error) instead of taking the machine's memory; and each
task to a time budget, enforced inside the worker by a timer that ends the process: a decoder
stuck in C code cannot be interrupted any other way. The pool then breaks, and the task that
runs out of time again when rerun alone is reported as over its budget.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TypeVar

from clearsight.pipeline.executor import WORKER_DIED, raised

T = TypeVar("T")
R = TypeVar("R")

TASKS_PER_WORKER = 4
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""Each worker is one process per core; a multi-threaded BLAS inside it would oversubscribe the
cores (measured on 2 cores, 1,500 JPEGs: 106.8 items/s with OpenBLAS threads, 599.2 without)."""


def single_threaded_children() -> None:
    """Have the worker processes started from now on run a single-threaded BLAS (`SINGLE_THREADED`),
    unless the environment already says otherwise: they inherit this process's environment."""
    for name, value in SINGLE_THREADED.items():
        os.environ.setdefault(name, value)


OVERTIME_EXIT = 86
"""Exit status of a worker ended by its task's time budget."""


def start_worker(memory_bytes: int | None) -> None:
    """Workers leave Ctrl-C to the driver, which commits what is done and stops them; and live
    within `memory_bytes` of address space."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def run_within(fn: Callable[[T], R], seconds: float | None, task: T) -> R:
    """Run `fn(task)` in a worker, ending the worker if it takes more than `seconds`."""
    if seconds is None:
        return fn(task)
    timer = threading.Timer(seconds, os._exit, (OVERTIME_EXIT,))
    timer.daemon = True
    timer.start()
    try:
        return fn(task)
    finally:
        timer.cancel()


def _budgeted(fn: Callable[[T], R], seconds: Callable[[T], float], task: T) -> R:
    return run_within(fn, seconds(task), task)


def within_budget(fn: Callable[[T], R], seconds: Callable[[T], float] | None) -> Callable[[T], R]:
    """`fn` ending its worker process when a task runs past `seconds(task)` (picklable, for any executor)."""
    return fn if seconds is None else partial(_budgeted, fn, seconds)


def overtime(seconds: float) -> str:
    return (f"took longer than its {seconds:,.0f} s budget (CLEARSIGHT_MAX_ITEM_SECONDS, CLEARSIGHT_ITEM_SECONDS_PER_MIB); "
            "stopped and its worker replaced")


class LocalExecutor:
    def __init__(self, workers: int | None = None, memory_bytes: int | None = None, preload: Sequence[str] = ()) -> None:
        """`memory_bytes`: each worker's address-space limit (none if None). `preload`: modules
        the fork server the workers come from imports once, before forking them: a worker that
        imports the scanner itself spends about a second of CPU on it, which dominated small folders."""
        self.workers = workers or os.cpu_count() or 1
        self.memory_bytes = memory_bytes
        single_threaded_children()
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(list(preload))
        if preload:
            multiprocessing.forkserver.ensure_running()  # the imports run while the caller prepares

    def _pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=self.context, initializer=start_worker, initargs=(self.memory_bytes,))

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T], on_crash: Callable[[T, str], R],
                      seconds: Callable[[T], float] | None = None) -> Iterator[R]:
        pending = iter(tasks)
        window = self.workers * TASKS_PER_WORKER
        in_flight: dict[Future[R], T] = {}
        pool = self._pool(self.workers)
        try:
            while True:
                for task in pending:
                    in_flight[pool.submit(run_within, fn, seconds(task) if seconds else None, task)] = task
                    if len(in_flight) >= window:
                        break
                if not in_flight:
                    return
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                broken = False
                for future in done:
                    task = in_flight.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        in_flight[future] = task
                        broken = True
                        continue
                    except Exception as exc:  # noqa: BLE001 - the task's error, not the scan's
                        result = on_crash(task, raised(exc))
                    yield result
                if broken:
                    pool.shutdown(wait=False, cancel_futures=True)
                    yield from self._isolate(fn, list(in_flight.values()), on_crash, seconds)
                    in_flight.clear()
                    pool = self._pool(self.workers)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _isolate(self, fn: Callable[[T], R], tasks: list[T], on_crash: Callable[[T, str], R],
                 seconds: Callable[[T], float] | None) -> Iterator[R]:
        """Rerun each task alone so the one that kills its worker (or runs out of time) is known."""
        for task in tasks:
            budget = seconds(task) if seconds else None
            with self._pool(1) as pool:
                started = time.monotonic()
                try:
                    result = pool.submit(run_within, fn, budget, task).result()
                except BrokenProcessPool:
                    ran_out = budget is not None and time.monotonic() - started >= budget
                    result = on_crash(task, overtime(budget) if ran_out and budget is not None else WORKER_DIED)
                except Exception as exc:  # noqa: BLE001 - the task's error, not the scan's
                    result = on_crash(task, raised(exc))
            yield result
