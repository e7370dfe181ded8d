"""Archives are read in memory, bounded, and hostile members become per-member errors."""

from __future__ import annotations

import gzip
import io
import os
import struct
import tarfile
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

from clearsight.config import Limits, Settings
from clearsight.intake.walk import walk
from clearsight.item import ItemResult
from clearsight.pipeline.process import process_entry
from tests.media_factory import image_bytes


def scan_file(path: Path, settings: Settings | None = None) -> dict[str, ItemResult]:
    (entry,) = list(walk([str(path)]))
    return {result.path.removeprefix(str(path)): result for result in process_entry(entry, settings or Settings())}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_members_are_hashed_and_named_inside_their_archive(tmp_path: Path) -> None:
    results = scan_file(write_zip(tmp_path / "a.zip", {"pics/one.png": image_bytes("PNG"), "notes.txt": b"hello"}))
    assert results[""].media_type == "archive"
    assert results["!/pics/one.png"].media_type == "image"
    assert results["!/pics/one.png"].hashes["pdq"]
    assert results["!/notes.txt"].hashes["md5"] == "5d41402abc4b2a76b9719d911017c592"


def test_nested_archives_are_opened_to_the_depth_limit(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("deep.txt", b"deep")
    results = scan_file(write_zip(tmp_path / "outer.zip", {"inner.zip": inner.getvalue()}))
    assert results["!/inner.zip!/deep.txt"].hashes["sha1"]
    shallow = replace(Settings(), limits=replace(Limits(), max_archive_depth=1))
    results = scan_file(tmp_path / "outer.zip", shallow)
    assert "deep" in (results["!/inner.zip"].error or "")
    assert "!/inner.zip!/deep.txt" not in results


def test_a_zip_bomb_member_is_an_error_and_the_other_members_complete(tmp_path: Path) -> None:
    bomb = write_zip(tmp_path / "bomb.zip", {"zeros.bin": bytes(64 * 1024 * 1024), "fine.txt": b"fine"})
    results = scan_file(bomb)
    assert "zip bomb" in (results["!/zeros.bin"].error or "")
    assert results["!/fine.txt"].error is None


def test_the_total_expansion_of_an_archive_is_bounded(tmp_path: Path) -> None:
    limits = replace(Limits(), max_archive_bytes=10_000)
    results = scan_file(write_zip(tmp_path / "big.zip", {"a.bin": os.urandom(6000), "b.bin": os.urandom(6000)}), replace(Settings(), limits=limits))
    assert results["!/a.bin"].error is None
    assert "CLEARSIGHT_MAX_ARCHIVE_BYTES" in (results["!/b.bin"].error or "")


def test_members_that_try_to_escape_are_refused(tmp_path: Path) -> None:
    results = scan_file(write_zip(tmp_path / "evil.zip", {"../../etc/evil.txt": b"x", "/abs.txt": b"y", "ok.txt": b"z"}))
    assert "path traversal" in (results["!/../../etc/evil.txt"].error or "")
    assert "absolute" in (results["!//abs.txt"].error or "")
    assert results["!/ok.txt"].error is None
    assert not (tmp_path.parent / "etc").exists()


def test_tarballs_and_plain_gzip_streams_are_read(tmp_path: Path) -> None:
    with tarfile.open(tmp_path / "t.tar.gz", "w:gz") as archive:
        data = image_bytes("JPEG")
        info = tarfile.TarInfo("photo.jpg")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    results = scan_file(tmp_path / "t.tar.gz")
    assert results["!/photo.jpg"].media_type == "image"
    assert "not followed" in (results["!/link"].error or "")
    (tmp_path / "notes.txt.gz").write_bytes(gzip.compress(b"hello"))
    assert scan_file(tmp_path / "notes.txt.gz")["!/notes.txt"].hashes["md5"] == "5d41402abc4b2a76b9719d911017c592"


def test_a_damaged_archive_is_an_error_on_the_archive(tmp_path: Path) -> None:
    whole = write_zip(tmp_path / "whole.zip", {"a.txt": b"a" * 1000}).read_bytes()
    (tmp_path / "cut.zip").write_bytes(whole[:40])
    results = scan_file(tmp_path / "cut.zip")
    assert results[""].hashes["sha256"]
    assert results[""].error is not None


def test_a_zip_member_with_an_impossible_date_is_read(tmp_path: Path) -> None:
    """Month 0 and day 0 in a member's DOS date (as hostile zips write) once stopped the whole scan."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("notes.txt", date_time=(1980, 1, 1, 0, 0, 0)), b"hello")
    data = bytearray(buffer.getvalue())
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # zero the date field of the local and central headers
        at = data.index(header) + (12 if header == b"PK\x03\x04" else 14)
        data[at : at + 2] = b"\0\0"
    (tmp_path / "dated.zip").write_bytes(bytes(data))
    results = scan_file(tmp_path / "dated.zip")
    assert results["!/notes.txt"].hashes["md5"] == "5d41402abc4b2a76b9719d911017c592"
    assert results["!/notes.txt"].mtime_ns == 0


def _overlapping_zip(path: Path, entries: int, kernel_bytes: int) -> Path:
    """D. Fifield's full-overlap construction: every central-directory entry points at one local
    file whose deflated kernel expands to `kernel_bytes` (each entry within the member ratio)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = compressor.compress(bytes(kernel_bytes)) + compressor.flush()
    crc, name = zlib.crc32(bytes(kernel_bytes)), b"k"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(kernel), kernel_bytes, len(name), 0) + name
    directory = b"".join(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(kernel), kernel_bytes, len(name),
                                     0, 0, 0, 0, 0, 0) + name for _ in range(entries))
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, entries, entries, len(directory), len(local) + len(kernel), 0)
    path.write_bytes(local + kernel + directory + end)
    return path


def test_a_zip_whose_entries_share_compressed_bytes_is_refused_before_inflating(tmp_path: Path) -> None:
    results = scan_file(_overlapping_zip(tmp_path / "overlap.zip", 50, 8 * 1024 * 1024))
    assert "overlapping-entry zip bomb" in (results[""].error or "")
    assert set(results) == {""}  # no member was inflated


def test_many_small_members_meet_the_ratio_of_the_whole_archive(tmp_path: Path) -> None:
    """Members under a MiB are too small for their own ratio to judge: 300 of them, a MiB of zeros
    each, are still one archive expanding about 1000:1, stopped early as a whole."""
    results = scan_file(write_zip(tmp_path / "many.zip", {f"part{number:03}.bin": bytes(1024 * 1024) for number in range(300)}))
    read = [path for path, result in results.items() if path.startswith("!/") and result.error is None]
    assert 0 < len(read) < 100
    assert "the archive as a whole expands more than 200:1" in (results[""].error or "")
    assert "the rest is not read" in (results[""].error or "")
