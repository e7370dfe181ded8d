"""`clearsight cameras` and `scan --cameras` as an examiner runs them: fingerprint a seized camera
from its reference photos, then find which images it took; what each prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.camera_factory import photo
from tests.cli_runner import clearsight, records

SIZE = (384, 256)


@pytest.fixture
def case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """A case with camera `exhibit-7` fingerprinted from 12 photos (and a note that is no photo),
    and a folder of images: two it took, one another camera took."""
    monkeypatch.setenv("CLEARSIGHT_CACHE_DIR", str(tmp_path / "cache"))
    db, reference, images = str(tmp_path / "case.db"), tmp_path / "reference", tmp_path / "images"
    reference.mkdir()
    images.mkdir()
    for seed in range(12):
        (reference / f"ref{seed:02}.jpg").write_bytes(photo(1, 100 + seed, SIZE))
    (reference / "notes.txt").write_text("exhibit 7, taken 2026-11-30")
    (images / "taken-1.jpg").write_bytes(photo(1, 900, SIZE))
    (images / "taken-2.jpg").write_bytes(photo(1, 901, SIZE))
    (images / "elsewhere.jpg").write_bytes(photo(2, 902, SIZE))
    added = clearsight("cameras", "add", "exhibit-7", str(reference), "--db", db)
    assert "notes.txt" in added.stdout + added.stderr and "from 12 photos" in added.stdout + added.stderr
    return db, images


def test_cameras_list_names_the_camera_with_its_size_and_photos(case: tuple[str, Path]) -> None:
    db, _ = case
    [camera] = json.loads(clearsight("cameras", "list", "--db", db, "--format", "json").stdout)
    assert (camera["name"], camera["width"], camera["height"], camera["photos"]) == ("exhibit-7", *SIZE, 12)


def test_cameras_match_prints_the_links_of_each_file(case: tuple[str, Path]) -> None:
    db, images = case
    (images / "broken.jpg").write_bytes(b"\xff\xd8\xff not really")
    found = {Path(entry["path"]).name: entry for entry in json.loads(clearsight("cameras", "match", str(images), "--db", db, "--format", "json").stdout)}
    assert [link["camera"] for link in found["taken-1.jpg"]["camera_links"]] == ["exhibit-7"]
    assert found["taken-1.jpg"]["camera_links"][0]["decision"] == "match" and found["taken-1.jpg"]["camera_links"][0]["pce"] > 60
    assert found["elsewhere.jpg"]["camera_links"] == [] and found["elsewhere.jpg"]["tested"][0]["decision"] == "no match"
    assert found["broken.jpg"]["camera_links"] == [] and "cannot be decoded" in found["broken.jpg"]["error"]


def test_scan_with_cameras_records_the_links_in_the_provenance_record(case: tuple[str, Path]) -> None:
    db, images = case
    scanned = {Path(record["path"]).name: record for record in records(clearsight("scan", str(images), "--cameras", "--db", db, "--format", "jsonl").stdout)}
    taken = scanned["taken-2.jpg"]["provenance"]
    assert [link["camera"] for link in taken["authenticity"]["camera_links"]] == ["exhibit-7"]
    assert {"source": "camera", "strength": "strong"}.items() <= taken["authenticity"]["supports_capture"][0].items()
    assert taken["verdict"] == "unknown", "a camera link is evidence of capture, never a verdict by itself"
    assert scanned["elsewhere.jpg"]["provenance"]["authenticity"]["camera_links"] == []


def test_scan_without_cameras_tests_none(case: tuple[str, Path]) -> None:
    db, images = case
    for record in records(clearsight("scan", str(images), "--db", db, "--format", "jsonl").stdout):
        assert record["provenance"]["authenticity"]["camera_links"] == []


def test_scan_with_cameras_in_a_case_without_any_fails_saying_how_to_add_one(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(photo(1, 1, SIZE))
    failed = clearsight("scan", str(tmp_path / "a.jpg"), "--cameras", "--db", str(tmp_path / "empty.db"), check=False)
    assert failed.returncode == 1 and "clearsight cameras add" in failed.stderr


def test_a_removed_camera_is_no_longer_matched(case: tuple[str, Path]) -> None:
    db, images = case
    clearsight("cameras", "remove", "exhibit-7", "--db", db)
    [entry] = json.loads(clearsight("cameras", "match", str(images / "taken-1.jpg"), "--db", db, "--format", "json").stdout)
    assert entry["camera_links"] == []
