"""The executor interface: how the driver gets tasks run, locally or on a cluster.

The driver only needs "run this picklable function over these tasks, give me results as they
finish"; a Ray executor (`--engine ray`) can implement the same without the stages changing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T], on_crash: Callable[[T], R]) -> Iterator[R]:
        """Apply `fn` to every task, yielding results in completion order.

        A task whose worker dies (a decoder segfault, the OOM killer) yields `on_crash(task)`
        instead, and the other tasks still run.
        """
        ...
