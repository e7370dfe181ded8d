"""Walk the scan roots into a list of files, safely.

Seized media is hostile input: symlinks may point at the examiner's own system, named pipes
would block a reader forever, and directories may be unreadable. Each of those becomes an entry
with an error (so the examiner sees it) instead of being followed or stopping the walk.
Symlinks to files inside the scanned root are read; symlinks leaving the root never are, and
directory symlinks are not followed (their targets, if inside the root, are walked in place).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One file found by the walk (or a place the walk could not read)."""

    path: str
    """Absolute path, as shown to the analyst (symlinks not resolved)."""
    size: int = 0
    mtime_ns: int = 0
    error: str | None = None


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _entry_for_file(path: str, real_root: str) -> Entry:
    """Classify one non-directory path, following a symlink only if it stays inside the root."""
    try:
        link = os.lstat(path)
        if stat.S_ISLNK(link.st_mode):
            target = os.path.realpath(path)
            if not _inside(target, real_root):
                return Entry(path, error="symlink points outside the scanned root; not followed")
            if not os.path.exists(target):
                return Entry(path, error="broken symlink")
            if os.path.isdir(target):
                return Entry(path, error="symlink to a directory; not followed (its target is scanned in place)")
        info = os.stat(path)
    except OSError as exc:
        return Entry(path, error=f"cannot read: {exc.strerror or exc}")
    if not stat.S_ISREG(info.st_mode):
        return Entry(path, error="not a regular file (device, pipe or socket); not read")
    return Entry(path, size=info.st_size, mtime_ns=info.st_mtime_ns)


def _is_dir(child: os.DirEntry[str]) -> bool:
    try:
        return child.is_dir(follow_symlinks=False)
    except OSError:
        return False  # classified (with its error) as a file


def _walk_dir(top: str, real_root: str) -> Iterator[Entry]:
    """Depth first, each folder's children in sorted order, keeping the open folders on a list
    rather than recursing: a tree thousands of folders deep must not exhaust the recursion limit."""
    listings: list[Iterator[os.DirEntry[str]]] = []
    directory: str | None = top
    while True:
        if directory is not None:
            try:
                with os.scandir(directory) as listing:
                    listings.append(iter(sorted(listing, key=lambda child: child.name)))
            except OSError as exc:
                yield Entry(directory, error=f"cannot list directory: {exc.strerror or exc}")
            directory = None
        if not listings:
            return
        child = next(listings[-1], None)
        if child is None:
            listings.pop()
        elif _is_dir(child):
            directory = child.path
        else:
            yield _entry_for_file(child.path, real_root)


def walk(roots: list[str]) -> Iterator[Entry]:
    """Every file under the roots in a stable (sorted) order; a root may itself be a file."""
    for root in roots:
        absolute = os.path.abspath(root)
        real_root = os.path.realpath(absolute)
        if os.path.isdir(real_root):
            yield from _walk_dir(absolute, real_root)
        else:
            yield _entry_for_file(absolute, os.path.dirname(real_root))
