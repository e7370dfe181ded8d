"""`clearsight scan` end to end, on SQLite and PostgreSQL: contract, bad input, resuming."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from clearsight.pipeline.output import RECORD_KEYS
from tests.cli_runner import COMMAND, clearsight, records
from tests.media_factory import image_bytes, png_claiming


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    """A folder with good media and every kind of bad input the scan must survive."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "good.jpg").write_bytes(image_bytes("JPEG", seed=1))
    (folder / "good.png").write_bytes(image_bytes("PNG", seed=2))
    whole = image_bytes("JPEG", seed=3, size=(800, 600))
    (folder / "truncated.jpg").write_bytes(whole[: len(whole) // 2])
    (folder / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(400))
    (folder / "empty.bin").write_bytes(b"")
    (folder / "huge-claim.png").write_bytes(png_claiming(100_000, 100_000))
    with zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", bytes(64 * 1024 * 1024))
        archive.writestr("../escape.txt", b"x")
        archive.writestr("inside.png", image_bytes("PNG", seed=4))
    return folder


def by_name(rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(row["path"]).rsplit("/evidence/", 1)[1]: row for row in rows}


def test_every_item_gets_a_record_and_bad_input_gets_its_own_error(evidence: Path, db: str) -> None:
    done = clearsight("scan", str(evidence), "--db", db, "--format", "jsonl", "--workers", "2")
    rows = by_name(records(done.stdout))
    assert set(rows) == {
        "good.jpg", "good.png", "truncated.jpg", "corrupt.png", "empty.bin", "huge-claim.png",
        "bomb.zip", "bomb.zip!/zeros.bin", "bomb.zip!/../escape.txt", "bomb.zip!/inside.png",
    }  # fmt: skip
    for row in rows.values():
        assert tuple(row) == RECORD_KEYS
    assert rows["good.jpg"]["error"] is None and len(str(rows["good.jpg"]["pdq"])) == 64
    assert rows["good.jpg"]["media_type"] == "image" and isinstance(rows["good.jpg"]["pdq_quality"], int)
    assert rows["bomb.zip!/inside.png"]["error"] is None and rows["bomb.zip!/inside.png"]["pdq"]
    assert "truncated" in str(rows["truncated.jpg"]["error"])
    assert "cannot be decoded" in str(rows["corrupt.png"]["error"])
    assert "empty" in str(rows["empty.bin"]["error"])
    assert "100000x100000" in str(rows["huge-claim.png"]["error"])
    assert "zip bomb" in str(rows["bomb.zip!/zeros.bin"]["error"])
    assert "path traversal" in str(rows["bomb.zip!/../escape.txt"]["error"])
    assert rows["truncated.jpg"]["md5"], "an undecodable image still gets its exact hashes"
    assert "with errors" in done.stderr


def test_re_running_a_finished_scan_reuses_every_item(evidence: Path, db: str) -> None:
    first = records(clearsight("scan", str(evidence), "--db", db, "--format", "jsonl").stdout)
    again = clearsight("scan", str(evidence), "--db", db, "--format", "jsonl")
    assert sorted(map(str, records(again.stdout))) == sorted(map(str, first))
    assert "already recorded" in again.stderr
    (evidence / "new.gif").write_bytes(image_bytes("GIF", seed=9))
    third = records(clearsight("scan", str(evidence), "--db", db, "--format", "jsonl").stdout)
    assert len(third) == len(first) + 1


def test_csv_output_has_the_contract_columns(evidence: Path, db: str, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    clearsight("scan", str(evidence / "good.jpg"), "--db", db, "--out", str(out), "--format", "csv")
    header, row = out.read_text().splitlines()
    assert header == ",".join(RECORD_KEYS)
    assert "/evidence/good.jpg,image," in row


def make_many_images(folder: Path, count: int) -> None:
    folder.mkdir()
    base = image_bytes("JPEG", seed=5, size=(1600, 1200), quality=95)
    for index in range(count):
        # Distinct files: the same picture with a different trailing comment segment.
        (folder / f"img-{index:04d}.jpg").write_bytes(base[:-2] + b"\xff\xfe\x00\x06" + index.to_bytes(4, "big") + b"\xff\xd9")


def test_a_scan_killed_with_sigkill_resumes_and_lists_every_item_exactly_once(tmp_path: Path, db: str) -> None:
    folder = tmp_path / "many"
    count = 400
    make_many_images(folder, count)
    first_out = tmp_path / "first.jsonl"
    process = subprocess.Popen(
        [*COMMAND, "scan", str(folder), "--db", db, "--out", str(first_out), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if first_out.exists() and len(first_out.read_text().splitlines()) >= 50:
            break
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    written_before_kill = len(records(first_out.read_text().rsplit("\n", 1)[0])) if first_out.exists() else 0
    assert 0 < written_before_kill < count, "the scan must be killed part-way for this test to mean anything"

    second_out = tmp_path / "second.jsonl"
    resumed = clearsight("scan", str(folder), "--db", db, "--out", str(second_out), "--workers", "2")
    rows = records(second_out.read_text())
    paths = [row["path"] for row in rows]
    assert len(paths) == count
    assert sorted(paths) == sorted(str(path) for path in folder.iterdir())
    assert all(row["error"] is None and row["pdq"] for row in rows)
    assert "(resumed)" in resumed.stderr
    reused = int(resumed.stderr.split("already recorded, not redone")[1].split("│")[1].strip().replace(",", ""))
    assert reused >= written_before_kill
