"""A copy of the PDQ index on disk, so that commands over banks of millions of hashes start in
about a second instead of reading every hash from the database and rebuilding the tables.

The snapshot is a cache, never the truth: it records the newest hash id and removal it
includes and that hash's value. It is used only if the database still holds that hash with
that value (so a replaced or restored database is never matched against a stale copy); the
matcher then catches up with everything newer, as it does while running. Unreadable or
mismatched snapshots are ignored and rewritten. Files are written whole to a temporary name
and renamed, so a killed process never leaves half a snapshot, and are read with pickling off.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from clearsight.banks.index import HammingIndex

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


@dataclass
class Snapshot:
    index: HammingIndex
    last_hash_id: int
    last_removal: int
    last_value: str
    """Value of hash `last_hash_id` when the snapshot was taken: what proves it is still current."""


def snapshot_path(cache_dir: Path, database: str, signal: str) -> Path:
    """Where the snapshot of one database's index for one signal lives."""
    return cache_dir / f"{hashlib.sha256(database.encode()).hexdigest()[:24]}-{signal}-index.npz"


def save(path: Path, snapshot: Snapshot) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    marker = np.array([FORMAT_VERSION, snapshot.last_hash_id, snapshot.last_removal], dtype=np.int64)
    with open(temporary, "wb") as stream:
        np.savez(stream, marker=marker, last_value=np.array(snapshot.last_value), **snapshot.index.arrays())  # type: ignore[arg-type]
    os.replace(temporary, path)


def load(path: Path) -> Snapshot | None:
    """The saved snapshot, or None when there is none or it cannot be used."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in saved.files}
        version, last_hash_id, last_removal = (int(value) for value in arrays.pop("marker"))
        if version != FORMAT_VERSION:
            return None
        last_value = str(arrays.pop("last_value"))
        return Snapshot(HammingIndex.from_arrays(arrays), last_hash_id, last_removal, last_value)
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        log.warning("ignoring the unreadable index snapshot %s: %s", path, exc)
        return None
