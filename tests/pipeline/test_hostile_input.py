"""One hostile file never stops a scan, nor any resume of it: each becomes its own one-line error
(or, when harmless, an ordinary item) and every other item is recorded exactly once."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import os
import subprocess
import tarfile
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from clearsight.config import Limits, Settings
from clearsight.intake.walk import Entry
from clearsight.pipeline.process import process_entry
from tests.cli_runner import COMMAND, clearsight, records
from tests.in_process_scan import scan_records


def scanned(root: Path, db: Path) -> dict[str, dict[str, Any]]:
    """Each record by its path below `root`, asserting that no path is listed twice."""
    rows, _ = scan_records([root], Settings(db=str(db)))
    paths = [str(row["path"]).removeprefix(f"{root}/") for row in rows]
    assert len(paths) == len(set(paths)), f"listed more than once: {sorted(paths)}"
    return dict(zip(paths, rows, strict=True))


def assert_one_line_error(row: dict[str, Any], *words: str) -> None:
    error = str(row["error"])
    assert row["error"] and "\n" not in error, row
    for word in words:
        assert word in error


def test_names_that_are_not_utf8_are_scanned_and_shown_escaped(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    root.mkdir()
    raw_root = os.fsencode(root)
    os.mkdir(raw_root + b"/dossier-\xe9t\xe9")
    Path(os.fsdecode(raw_root + b"/dossier-\xe9t\xe9/caf\xe9.txt")).write_bytes(b"latin-1 name")
    (root / "plain.txt").write_bytes(b"plain")
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tar:
        info = tarfile.TarInfo("r\xe9sum\xe9.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"tar!"))
    (root / "names.tar").write_bytes(archive.getvalue())

    for _ in range(2):  # the first scan, then a re-scan reusing it
        rows = scanned(root, tmp_path / "case.db")
        assert set(rows) == {"dossier-\\xe9t\\xe9/caf\\xe9.txt", "plain.txt", "names.tar", "names.tar!/r\\xe9sum\\xe9.txt"}
        assert all(row["error"] is None and row["sha256"] for row in rows.values())


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_archive_members_with_the_same_name_are_each_an_item(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    root.mkdir()
    with zipfile.ZipFile(root / "twice.zip", "w") as archive:
        archive.writestr("same.txt", b"first")
        archive.writestr("same.txt", b"second")
    (root / "appended.txt").write_bytes(b"appended")
    with tarfile.open(root / "twice.tar", "w") as tar:
        tar.add(root / "appended.txt", arcname="appended.txt")
        tar.add(root / "appended.txt", arcname="appended.txt")

    for _ in range(2):
        rows, _ = scan_records([root], Settings(db=str(tmp_path / "case.db")))
        paths = sorted(str(row["path"]).removeprefix(f"{root}/") for row in rows)
        assert paths == ["appended.txt", "twice.tar", "twice.tar!/appended.txt", "twice.tar!/appended.txt",
                         "twice.zip", "twice.zip!/same.txt", "twice.zip!/same.txt"]
        assert {row["md5"] for row in rows if row["path"].endswith("same.txt")} == {hashlib.md5(b"first").hexdigest(), hashlib.md5(b"second").hexdigest()}


def damaged(data: bytes) -> bytes:
    """The bytes with a run in the middle of the compressed stream flipped."""
    flipped = bytearray(data)
    for index in range(20, 60):
        flipped[index] ^= 0x55
    return bytes(flipped)


def test_a_corrupt_compressed_member_is_that_members_error(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    root.mkdir()
    text = bytes(range(256)) * 400
    (root / "notes.txt.gz").write_bytes(damaged(gzip.compress(text)))
    (root / "notes.txt.bz2").write_bytes(damaged(bz2.compress(text)))
    (root / "notes.txt.xz").write_bytes(damaged(lzma.compress(text)))
    with zipfile.ZipFile(root / "holder.zip", "w") as archive:
        archive.writestr("inner.gz", damaged(gzip.compress(text)))
        archive.writestr("fine.txt", b"fine")
    (root / "good.txt").write_bytes(b"good")

    for _ in range(2):
        rows = scanned(root, tmp_path / "case.db")
        assert set(rows) == {"notes.txt.gz", "notes.txt.gz!/notes.txt", "notes.txt.bz2", "notes.txt.bz2!/notes.txt",
                             "notes.txt.xz", "notes.txt.xz!/notes.txt", "holder.zip", "holder.zip!/inner.gz",
                             "holder.zip!/inner.gz!/inner", "holder.zip!/fine.txt", "good.txt"}
        for bad in ("notes.txt.gz!/notes.txt", "notes.txt.bz2!/notes.txt", "notes.txt.xz!/notes.txt", "holder.zip!/inner.gz!/inner"):
            assert_one_line_error(rows[bad], "cannot be read")
        assert rows["holder.zip!/fine.txt"]["error"] is None and rows["good.txt"]["error"] is None


def test_a_tree_1200_folders_deep_is_walked(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    root.mkdir()
    (root / "top.txt").write_bytes(b"top")
    folder = os.open(root, os.O_RDONLY)
    for _ in range(1200):  # relative to an open folder: the whole path is longer than one open() takes comfortably
        os.mkdir("d", dir_fd=folder)
        inner = os.open("d", os.O_RDONLY, dir_fd=folder)
        os.close(folder)
        folder = inner
    os.close(os.open("bottom.txt", os.O_CREAT | os.O_WRONLY, dir_fd=folder))
    os.close(folder)

    for _ in range(2):
        rows = scanned(root, tmp_path / "case.db")
        assert set(rows) == {"top.txt", "d/" * 1200 + "bottom.txt"}
        assert "empty" in str(rows["d/" * 1200 + "bottom.txt"]["error"])
    _flatten_away(root)


def _flatten_away(root: Path) -> None:
    """Remove a deep `d/d/...` chain level by level: pytest's clean-up of old temporary folders
    recurses once per level and would fail on it in a later run."""
    while (root / "d").exists():
        if (root / "d" / "d").exists():
            (root / "d" / "d").rename(root / "next")
        for leftover in (root / "d").iterdir():
            leftover.unlink()
        (root / "d").rmdir()
        if (root / "next").exists():
            (root / "next").rename(root / "d")


def test_archives_nested_past_the_recursion_limit_are_read_to_the_depth_limit(tmp_path: Path) -> None:
    data = b"deep"
    for _ in range(1200):
        data = gzip.compress(data)
    (tmp_path / "deep.gz").write_bytes(data)
    settings = replace(Settings(db=str(tmp_path / "case.db")), limits=replace(Limits(), max_archive_depth=2000))
    rows, _ = scan_records([tmp_path / "deep.gz"], settings)
    assert len(rows) == 1201
    assert rows[-1]["md5"] == hashlib.md5(b"deep").hexdigest()


def test_two_first_scans_of_a_new_database_at_once_both_succeed(tmp_path: Path, db: str) -> None:
    folders = [tmp_path / "one", tmp_path / "two"]
    for index, folder in enumerate(folders):
        folder.mkdir()
        (folder / "file.txt").write_bytes(b"file %d" % index)
    scans = [subprocess.Popen([*COMMAND, "scan", str(folder), "--db", db, "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for folder in folders]
    for process in scans:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr.decode()
    for folder in folders:
        rows = records(clearsight("scan", str(folder), "--db", db, "--format", "jsonl").stdout)
        assert [row["path"] for row in rows] == [str(folder / "file.txt")]


def test_a_file_replaced_by_a_fifo_after_the_walk_is_an_error_not_a_hang(tmp_path: Path) -> None:
    target = tmp_path / "swapped.bin"
    target.write_bytes(b"listed as a file")
    listed = os.stat(target)
    target.unlink()
    os.mkfifo(target)  # nothing ever writes to it: a plain open() would wait forever
    result = process_entry(Entry(str(target), listed.st_size, listed.st_mtime_ns), Settings(db=str(tmp_path / "case.db")))[0]
    assert result.error is not None and "no longer a regular file" in result.error
