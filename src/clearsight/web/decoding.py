"""Uploads are decoded in worker processes the API can replace, never in the server itself.

Decoding a hostile upload can take seconds of CPU (thousands of animation frames) or most of the
memory a process may have. Done in the server's threads it held the GIL and the server's memory,
and every lookup waited. Here each upload goes to a small process pool shared by the whole
server process, under the scan's own bounds: each worker's address space is limited
(`CLEARSIGHT_MAX_WORKER_BYTES`), and each upload has the scan's time budget for its size, past
which its worker is ended. An upload whose worker dies or runs out of time gets that as its
error, the pool is replaced, and the lookups served meanwhile never noticed.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from clearsight.config import Settings
from clearsight.item import ItemResult
from clearsight.pipeline.executor import WORKER_DIED
from clearsight.pipeline.local import overtime, run_within, single_threaded_children, start_worker
from clearsight.pipeline.process import process_bytes

DECODE_WORKERS = 2
"""Uploads decoded at once per server process; more wait their turn in the pool's queue."""

_pools: dict[int | None, ProcessPoolExecutor] = {}
_lock = threading.Lock()


def _pool(memory_bytes: int | None) -> ProcessPoolExecutor:
    with _lock:
        if memory_bytes not in _pools:
            single_threaded_children()
            _pools[memory_bytes] = ProcessPoolExecutor(min(DECODE_WORKERS, os.cpu_count() or 1), mp_context=multiprocessing.get_context("forkserver"),
                                                       initializer=start_worker, initargs=(memory_bytes,))
        return _pools[memory_bytes]


def _replace(memory_bytes: int | None, broken: ProcessPoolExecutor) -> None:
    with _lock:
        if _pools.get(memory_bytes) is broken:
            del _pools[memory_bytes]
    broken.shutdown(wait=False, cancel_futures=False)


def _decode(settings: Settings, upload: tuple[str, bytes]) -> list[ItemResult]:
    return process_bytes(upload[0], upload[1], settings)


async def decode_upload(name: str, data: bytes, settings: Settings) -> list[ItemResult]:
    """The results of an uploaded file (and its archive members), decoded in a worker process.

    When the pool breaks (this upload's worker, or another's, died or ran out of time), the
    upload is tried once more in a fresh pool, so only the upload that breaks it again fails."""
    limits = settings.limits
    seconds = limits.seconds_for(len(data))
    loop = asyncio.get_running_loop()
    for attempt in range(2):
        pool = _pool(limits.max_worker_bytes)
        started = loop.time()
        try:
            return await asyncio.wrap_future(pool.submit(run_within, partial(_decode, settings), seconds, (name, data)))
        except BrokenProcessPool:
            _replace(limits.max_worker_bytes, pool)
            if attempt == 0:
                continue
            why = overtime(seconds) if loop.time() - started >= seconds else WORKER_DIED
    failed = ItemResult(path=name, size=len(data), mtime_ns=0)
    failed.errors.append(("worker", why))
    return [failed]
