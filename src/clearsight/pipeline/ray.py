"""Run the scan's tasks on a Ray cluster (`clearsight scan --engine ray [--ray-address ADDR]`).

The same task function as the local engine (one walked file and its archive members) runs as a
Ray task, so results, and the JSON Lines a scan prints, are the same; the driver still commits
them to the store. Without an address a local Ray instance is started on this machine's cores
(or `--workers`). Files go to Ray in batches (`BATCH`), submissions are bounded like the
local pool's, and when a worker dies its batch is rerun file by file so that only the file that
kills its worker is reported through `on_crash`. Ray is the optional extra `clearsight[ray]`.
"""

from __future__ import annotations

import itertools
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from clearsight.errors import ClearsightError
from clearsight.pipeline.executor import WORKER_DIED, raised
from clearsight.pipeline.local import SINGLE_THREADED, TASKS_PER_WORKER, single_threaded_children, within_budget

T = TypeVar("T")
R = TypeVar("R")


BATCH = 32
"""Files per Ray task: scheduling a task and returning its results costs about what a file's work
does. Measured (3,000 1 MP JPEGs, 2 CPUs, whole command): 26.3 s with 8 files a task, 24.5 s
with 32, 26.3 s with 64."""


def _apply(fn: Callable[[T], R], tasks: list[T]) -> list[R]:
    """The Ray task: the engine's task function (shipped once with `ray.put`) on a few tasks."""
    return [fn(task) for task in tasks]


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ClearsightError("--engine ray needs Ray: pip install 'clearsight[ray]'") from None
    return ray


CONNECT_SECONDS = 5.0
"""How long to wait for a Ray head's port to answer before calling the address unreachable."""


def _check_reachable(address: str) -> None:
    """Refuse a `host:port` (or `ray://host:port`) address whose port does not answer, at once:
    Ray itself retries an unreachable head for a minute or more before failing."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # "auto" and other forms Ray resolves itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as exc:
        raise ClearsightError(f"cannot reach Ray at {address}: {exc.strerror or exc} (is `ray start --head` running there?)") from None


class RayExecutor:
    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        self.ray = _ray()
        if not self.ray.is_initialized():
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
            if address:
                _check_reachable(address)
                options["address"] = address
                options["runtime_env"] = {"env_vars": SINGLE_THREADED}
            else:
                # A local instance's workers inherit this process's environment. A runtime_env
                # would start Ray's runtime-env agent: 1.9 s more before the first result.
                single_threaded_children()
                options["num_cpus"] = workers or os.cpu_count() or 1
            try:
                self.ray.init(**options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ClearsightError(f"cannot start or reach Ray{' at ' + address if address else ''}: {exc}") from None
        self.workers = int(self.ray.cluster_resources().get("CPU", 1))

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T], on_crash: Callable[[T, str], R],
                      seconds: Callable[[T], float] | None = None) -> Iterator[R]:
        """As the local pool does; a task past its time budget ends its Ray worker and is
        reported as a worker death (Ray does not say why a worker exited)."""
        remote = self.ray.remote(num_cpus=1, max_retries=0)(_apply)
        shared = self.ray.put(within_budget(fn, seconds))
        pending = iter(tasks)
        window = self.workers * TASKS_PER_WORKER
        in_flight: dict[Any, list[T]] = {}
        while True:
            while len(in_flight) < window and (batch := list(itertools.islice(pending, BATCH))):
                in_flight[remote.remote(shared, batch)] = batch
            if not in_flight:
                return
            done, _ = self.ray.wait(list(in_flight), num_returns=1)
            for ref in done:
                batch = in_flight.pop(ref)
                try:
                    yield from self.ray.get(ref)
                except self._crashes:
                    yield from self._isolate(remote, shared, batch, on_crash)

    def _isolate(self, remote: Any, shared: Any, batch: list[T], on_crash: Callable[[T, str], R]) -> Iterator[R]:
        """Rerun a failed batch one task at a time, so only the task that kills its worker is reported."""
        for task in batch:
            try:
                yield from self.ray.get(remote.remote(shared, [task]))
            except self._crashes as exc:
                yield on_crash(task, self._why(exc))

    def _why(self, exc: BaseException) -> str:
        """A failed task's one-line error: what its function raised, or how its worker died."""
        if isinstance(exc, self.ray.exceptions.OutOfMemoryError):
            return "the worker ran out of memory while processing this file"
        if isinstance(exc, self.ray.exceptions.RayTaskError) and isinstance(getattr(exc, "cause", None), BaseException):
            return raised(exc.cause)
        return WORKER_DIED

    @property
    def _crashes(self) -> tuple[type[BaseException], ...]:
        return (self.ray.exceptions.WorkerCrashedError, self.ray.exceptions.RayTaskError, self.ray.exceptions.OutOfMemoryError)
