"""The command-line contract: `--db`, exit codes, one-line failures, machine output only on request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from clearsight.cli import COMMAND_MODULES
from tests.cli_runner import clearsight, records
from tests.media_factory import image_bytes


def test_without_format_stdout_stays_empty_and_the_summary_goes_to_stderr(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(image_bytes("PNG"))
    done = clearsight("scan", str(tmp_path / "a.png"), "--db", str(tmp_path / "c.db"))
    assert done.stdout == ""
    assert "processed per second" in done.stderr


def test_the_database_defaults_to_the_environment_variable(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.png").write_bytes(image_bytes("PNG"))
    monkeypatch.setenv("CLEARSIGHT_DB", str(tmp_path / "from-env.db"))
    clearsight("scan", str(tmp_path / "a.png"))
    assert (tmp_path / "from-env.db").exists()


def test_an_unreachable_database_fails_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(image_bytes("PNG"))
    failed = clearsight("scan", str(tmp_path), "--db", "postgresql://127.0.0.1:1/none", check=False)
    assert failed.returncode != 0
    assert failed.stderr.strip().startswith("clearsight: error: cannot open database")
    assert len(failed.stderr.strip().splitlines()) == 1


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    failed = clearsight("scan", str(tmp_path / "nope"), "--db", str(tmp_path / "c.db"), check=False)
    assert failed.returncode == 2


def test_a_bad_limit_setting_fails_with_one_line(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CLEARSIGHT_MAX_IMAGE_PIXELS", "lots")
    failed = clearsight("scan", str(tmp_path), "--db", str(tmp_path / "c.db"), check=False)
    assert failed.returncode == 1
    assert "CLEARSIGHT_MAX_IMAGE_PIXELS" in failed.stderr


def test_demo_builds_a_corpus_and_scans_it(tmp_path: Path) -> None:
    done = clearsight("demo", "--dir", str(tmp_path / "corpus"), "--db", str(tmp_path / "demo.db"))
    assert "Scan run 1" in done.stderr
    listed = records(clearsight("scan", str(tmp_path / "corpus"), "--db", str(tmp_path / "demo.db"), "--dihedral", "--format", "jsonl").stdout)
    types = {row["media_type"] for row in listed}
    assert types == {"image", "video", "archive", "model", "other"}
    assert any("!/" in row["path"] for row in listed)
    assert sum(row["error"] is not None for row in listed) == 2
    matched = {row["path"].split("/corpus/", 1)[1]: row["matches"] for row in listed if row["matches"]}
    assert sorted(matched) == ["holiday-album.zip!/day1/beach.png", "photo-001-mirrored.jpg", "photo-001-small-copy.jpg", "photo-001.jpg"]
    assert [match["transform"] for match in matched["photo-001-mirrored.jpg"]] == ["flip_x"]
    assert [match["signal"] for match in matched["holiday-album.zip!/day1/beach.png"]] == ["md5"]


def test_a_command_imports_only_its_own_module_and_help_lists_them_all() -> None:
    probe = ("import sys; from clearsight.cli import load_commands; load_commands(sys.argv[1:]); "
             "print(sorted(m for m in sys.modules if m.startswith('clearsight.cli.') and m != 'clearsight.cli.app'), 'av' in sys.modules)")
    only_bank = subprocess.run([sys.executable, "-c", probe, "bank", "list"], capture_output=True, text=True, check=True).stdout
    assert only_bank.strip() == "['clearsight.cli.bank'] False"
    listing = subprocess.run([sys.executable, "-m", "clearsight", "--help"], capture_output=True, text=True, check=True).stdout
    assert all(name in listing for name in COMMAND_MODULES)
