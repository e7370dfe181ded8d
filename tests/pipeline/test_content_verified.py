"""A re-scan checks each recorded file's bytes, not only its path, size and mtime: a file changed
behind an unchanged mtime is recorded again as a new version with its true hashes, unless the
examiner asks to trust mtimes."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path

from clearsight.config import Settings
from tests.in_process_scan import scan_records


def _rewrite_keeping_times(path: Path, data: bytes) -> None:
    """New bytes of the same length, with the old access and modification times put back."""
    before = path.stat()
    assert len(data) == before.st_size
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_bytes_changed_under_the_same_mtime_are_a_new_version_with_true_hashes(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "kept.txt").write_bytes(b"unchanged bytes")
    (folder / "edited.txt").write_bytes(b"original bytes!")
    settings = Settings(db=db)
    scan_records([folder], settings)
    _rewrite_keeping_times(folder / "edited.txt", b"tampered bytes!")

    trusted, trusting = scan_records([folder], replace(settings, trust_mtime=True))
    assert trusting.changed == 0
    assert {Path(row["path"]).name: row["sha256"] for row in trusted}["edited.txt"] == hashlib.sha256(b"original bytes!").hexdigest()

    checked, summary = scan_records([folder], settings)
    by_name = {Path(row["path"]).name: row for row in checked}
    assert by_name["edited.txt"]["sha256"] == hashlib.sha256(b"tampered bytes!").hexdigest()
    assert by_name["kept.txt"]["sha256"] == hashlib.sha256(b"unchanged bytes").hexdigest()
    assert (summary.changed, summary.reused, summary.processed) == (1, 1, 1)

    again, summary = scan_records([folder], settings)  # the new version is now what is recorded
    assert {Path(row["path"]).name: row["sha256"] for row in again} == {name: row["sha256"] for name, row in by_name.items()}
    assert (summary.changed, summary.reused, summary.processed) == (1, 2, 0)
