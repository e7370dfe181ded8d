"""Process one file found by the walk: run the stages on it and, for archives, on every member.

This is the unit of work an executor runs (in a worker process, or a Ray task). It takes a walk
`Entry` and returns the results for the file and everything nested inside it, parents before
children; the driver commits them together, so an archive is either fully recorded or redone.
No stage failure escapes: each becomes an error on the item it concerns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from clearsight.config import Settings
from clearsight.errors import ItemError, reason
from clearsight.hashing.stage import hash_digests, hash_perceptual
from clearsight.hashing.vpdq import hash_video
from clearsight.intake.archives import Budget, Member, iter_members
from clearsight.intake.walk import Entry
from clearsight.item import ARCHIVE_SEPARATOR, Item, ItemResult, open_regular
from clearsight.media.identify import HEAD_BYTES, identify
from clearsight.modelfiles.inspect import inspect_model
from clearsight.provenance.stage import read_provenance

log = logging.getLogger(__name__)

Stage = Callable[[Item, Settings], None]

STAGES: tuple[tuple[str, Stage], ...] = (
    ("identify", identify),
    ("hash", hash_digests),
    ("pdq", hash_perceptual),
    ("vpdq", hash_video),
    ("provenance", read_provenance),
    ("modelfile", inspect_model),
)
"""The stages in order. A failed gate stage stops the item; the others are independent (an image
PDQ cannot decode may still carry readable provenance metadata)."""
GATES = frozenset({"identify", "hash"})


def _run_stages(item: Item, settings: Settings) -> bool:
    """Run the stages; True when all succeeded."""
    ok = True
    for name, stage in STAGES:
        try:
            stage(item, settings)
            continue
        except ItemError as exc:
            item.result.errors.append((name, str(exc)))
        except Exception as exc:  # one odd file must never stop a scan
            log.exception("stage %s failed unexpectedly on item %d bytes long", name, item.result.size)
            item.result.errors.append((name, f"internal error: {type(exc).__name__}: {exc}"))
        ok = False
        if name in GATES:
            break
    return ok


def open_entry(entry: Entry, settings: Settings) -> Item:
    """An item for a walked file: its bytes in memory when small enough, else read from disk."""
    item = Item(ItemResult(path=entry.path, size=entry.size, mtime_ns=entry.mtime_ns), fs_path=entry.path)
    with open_regular(entry.path) as stream:
        if entry.size <= settings.limits.in_memory_bytes:
            item.data = stream.read()
            item.head = item.data[:HEAD_BYTES]
        else:
            item.head = stream.read(HEAD_BYTES)
    return item


@dataclass
class _OpenArchive:
    """An archive whose members are being read: its item, its place in the results, its members."""

    item: Item
    index: int
    members: Iterator[Member]


def _visit(item: Item, settings: Settings, results: list[ItemResult], budget: Budget) -> _OpenArchive | None:
    """Record an item and run its stages; an archive to open comes back with its members to read."""
    results.append(item.result)
    if not _run_stages(item, settings) or item.archive_kind is None:
        return None
    if item.depth >= settings.limits.max_archive_depth:
        item.result.errors.append(
            ("archive", f"nested more than {settings.limits.max_archive_depth} archives deep (CLEARSIGHT_MAX_ARCHIVE_DEPTH); not opened")
        )
        return None
    return _OpenArchive(item, len(results) - 1, iter_members(item.archive_kind, item.open, item.result.path, item.result.size, budget))


def _next_member(archive: _OpenArchive) -> Member | None:
    """The archive's next member, or None when it has no more (or cannot go on: its error is recorded)."""
    try:
        return next(archive.members, None)
    except ItemError as exc:
        archive.item.result.errors.append(("archive", str(exc)))
    except Exception as exc:  # an archive reader's unexpected failure ends this archive, never the scan
        log.exception("reading archive members failed unexpectedly")
        archive.item.result.errors.append(("archive", f"internal error: {type(exc).__name__}: {reason(exc)}"))
    return None


def _process(top: Item, settings: Settings, results: list[ItemResult], budget: Budget) -> None:
    """Process an item and, depth first, the members of the archives inside it, parents first.

    The archives being read are kept on a list rather than in recursive calls, so the nesting
    depth is bounded by CLEARSIGHT_MAX_ARCHIVE_DEPTH alone, never by Python's recursion limit."""
    opened = _visit(top, settings, results, budget)
    archives = [opened] if opened else []
    while archives:
        archive = archives[-1]
        member = _next_member(archive)
        if member is None:
            archives.pop()
            continue
        child = ItemResult(path=archive.item.result.path + ARCHIVE_SEPARATOR + member.name, size=member.size, mtime_ns=member.mtime_ns,
                           parent=archive.index)
        if member.error is not None or member.data is None:
            child.errors.append(("archive", member.error or "member has no data"))
            results.append(child)
            continue
        child.size = len(member.data)
        opened = _visit(Item(child, data=member.data, depth=archive.item.depth + 1, head=member.data[:HEAD_BYTES]), settings, results, budget)
        if opened:
            archives.append(opened)


def _failed(entry: Entry, stage: str, message: str) -> list[ItemResult]:
    result = ItemResult(path=entry.path, size=entry.size, mtime_ns=entry.mtime_ns)
    result.errors.append((stage, message))
    return [result]


def process_entry(entry: Entry, settings: Settings) -> list[ItemResult]:
    """Results for one walked file and, if it is an archive, all its members (parents first)."""
    if entry.error is not None:
        return _failed(entry, "intake", entry.error)
    try:
        item = open_entry(entry, settings)
    except OSError as exc:
        return _failed(entry, "intake", f"cannot read: {exc.strerror or exc}")
    except ItemError as exc:
        return _failed(entry, "intake", str(exc))
    try:
        return _results_of(item, settings)
    except MemoryError:
        return _failed(entry, "memory", "needs more memory than a scan worker may use (CLEARSIGHT_MAX_WORKER_BYTES)")
    except Exception as exc:  # the last resort: whatever escaped the stages is this file's error
        log.exception("processing a file failed unexpectedly")
        return _failed(entry, "internal", f"internal error: {type(exc).__name__}: {reason(exc)}")


def process_bytes(name: str, data: bytes, settings: Settings) -> list[ItemResult]:
    """Results for bytes held in memory (an API upload) and, for an archive, its members: the
    same stages as a scanned file, with nothing written to disk."""
    return _results_of(Item(ItemResult(path=name, size=len(data), mtime_ns=0), data=data, head=data[:HEAD_BYTES]), settings)


def _results_of(item: Item, settings: Settings) -> list[ItemResult]:
    """An item's results and its archive members' (parents first), under one archive budget."""
    results: list[ItemResult] = []
    _process(item, settings, results, Budget(settings.limits))
    return results
