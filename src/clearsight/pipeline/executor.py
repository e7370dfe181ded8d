"""The executor interface: how the driver gets tasks run, locally or on a cluster.

The driver only needs "run this picklable function over these tasks, give me results as they
finish"; a Ray executor (`--engine ray`) can implement the same without the stages changing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

from clearsight.errors import reason

T = TypeVar("T")
R = TypeVar("R")

WORKER_DIED = "the worker process died while processing this file (decoder crash or out of memory)"


def raised(exc: BaseException) -> str:
    """A task's error when the task function itself raised (it should not: stages catch their own)."""
    return f"internal error: {type(exc).__name__}: {reason(exc)}"


class Executor(Protocol):
    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T], on_crash: Callable[[T, str], R],
                      seconds: Callable[[T], float] | None = None) -> Iterator[R]:
        """Apply `fn` to every task, yielding results in completion order.

        A task whose worker dies (a decoder segfault, the OOM killer), runs past `seconds(task)`,
        or whose `fn` raises yields `on_crash(task, why)` instead, and the other tasks still run.
        """
        ...
