"""7z archives are opened in memory like zips, under the same bounds, and members that zip
readers refuse for a false flag are read when their bytes prove the flag false."""

from __future__ import annotations

import os
import zipfile
from dataclasses import replace
from pathlib import Path

import py7zr

from clearsight.config import Limits, Settings
from tests.intake.test_archives import scan_file, write_zip
from tests.media_factory import image_bytes


def _write_7z(path: Path, members: dict[str, bytes]) -> Path:
    with py7zr.SevenZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return path


def test_7z_members_are_scanned_inside_their_archive(tmp_path: Path) -> None:
    results = scan_file(_write_7z(tmp_path / "a.7z", {"pics/one.png": image_bytes("PNG"), "notes.txt": b"hello"}))
    assert results[""].media_type == "archive" and results[""].error is None
    assert results["!/pics/one.png"].media_type == "image" and results["!/pics/one.png"].hashes["pdq"]
    assert results["!/notes.txt"].hashes["md5"] == "5d41402abc4b2a76b9719d911017c592"


def test_a_7z_bomb_stops_at_the_first_limit_it_breaks(tmp_path: Path) -> None:
    results = scan_file(_write_7z(tmp_path / "bomb.7z", {"zeros.bin": bytes(64 * 1024 * 1024)}))
    assert "zip bomb" in (results["!/zeros.bin"].error or "")
    limits = replace(Limits(), max_archive_bytes=10_000)
    bounded = scan_file(_write_7z(tmp_path / "big.7z", {"a.bin": os.urandom(6000), "b.bin": os.urandom(6000)}), replace(Settings(), limits=limits))
    assert any("CLEARSIGHT_MAX_ARCHIVE_BYTES" in (result.error or "") for result in bounded.values())


def test_a_damaged_7z_is_an_error_for_that_file_only(tmp_path: Path) -> None:
    good = _write_7z(tmp_path / "good.7z", {"x.txt": b"x" * 1000})
    broken = tmp_path / "broken.7z"
    broken.write_bytes(good.read_bytes()[:40])
    assert "7z archive cannot be read" in (scan_file(broken)[""].error or "")


def test_a_false_encryption_flag_does_not_hide_a_member_but_real_ciphertext_stays_unread(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "flagged.zip", {"photo.png": image_bytes("PNG"), "secret.bin": b"plain bytes"})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    central = data.find(b"PK\x01\x02")  # set bit 0 (encrypted) in every central directory entry, as evasive archives do
    while central != -1:
        data[central + 8] |= 0x1
        central = data.find(b"PK\x01\x02", central + 4)
    secret = infos["secret.bin"]
    start = secret.header_offset + 30 + len(secret.filename) + len(secret.extra)
    data[start : start + secret.compress_size] = bytes(byte ^ 0x5A for byte in data[start : start + secret.compress_size])  # as if enciphered
    path.write_bytes(bytes(data))
    results = scan_file(path)
    assert results["!/photo.png"].media_type == "image" and results["!/photo.png"].hashes["pdq"]
    assert "encrypted member; not read" in (results["!/secret.bin"].error or "")
