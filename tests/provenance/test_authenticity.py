"""The authenticity part of provenance: first-seen dates from the banks an item matched, the
`authenticity` record every image gets, and the report an analyst hands on (no imagery, no
prompts). None of it is a verdict: only signed C2PA capture makes one `camera`."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from clearsight.config import Settings
from clearsight.provenance.context import ImageContext
from clearsight.provenance.stage import collect
from tests.camera_factory import photo
from tests.cli_runner import clearsight, records
from tests.peer_files import EXPECTATIONS, PEER_FILES
from tests.provenance_factory import camera_jpeg, comfy_graph, dumps, exif_image, item_of, png, user_comment

AUTHENTICITY_KEYS = {"supports_capture", "camera_links", "first_seen", "encoder"}
SECRET_PROMPT = "a lighthouse on a cliff at dusk"


def _bank(db: str, folder: Path, rows: list[tuple[bytes, str, str]]) -> None:
    """A bank `known` listing each file's SHA-256 with a ref and a first_seen date."""
    lines = ["sha256,ref,first_seen", *(f"{hashlib.sha256(data).hexdigest()},{ref},{seen}" for data, ref, seen in rows)]
    (folder / "known.csv").write_text("\n".join(lines) + "\n")
    clearsight("bank", "create", "known", "--db", db)
    clearsight("bank", "import", "known", str(folder / "known.csv"), "--db", db)


def test_an_item_first_seen_in_2015_predates_generators_and_one_of_2025_does_not(tmp_path: Path) -> None:
    db, images = str(tmp_path / "case.db"), tmp_path / "images"
    images.mkdir()
    old, new = photo(None, 1, (96, 64)), photo(None, 2, (96, 64))
    (images / "old.jpg").write_bytes(old)
    (images / "new.jpg").write_bytes(new)
    _bank(db, tmp_path, [(old, "hotline-2015-17", "2015-04-01"), (new, "hotline-2025-3", "2025-02-01")])
    scanned = {Path(record["path"]).name: record["provenance"] for record in records(clearsight("scan", str(images), "--db", db, "--format", "jsonl").stdout)}
    seen = scanned["old.jpg"]["authenticity"]["first_seen"]
    assert (seen["date"], seen["bank"], seen["ref"], seen["predates_generators"]) == ("2015-04-01", "known", "hotline-2015-17", True)
    [evidence] = [entry for entry in scanned["old.jpg"]["evidence"] if entry["source"] == "first_seen"]
    assert evidence["strength"] == "strong" and evidence["claims"]["supports_capture"] is True
    assert "first_seen" in [finding["source"] for finding in scanned["old.jpg"]["authenticity"]["supports_capture"]]
    assert scanned["old.jpg"]["verdict"] == "unknown"
    assert scanned["new.jpg"]["authenticity"]["first_seen"]["predates_generators"] is False
    assert not [entry for entry in scanned["new.jpg"]["evidence"] if entry["source"] == "first_seen"]


def test_the_generators_cut_off_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "case.db")
    image = photo(None, 3, (96, 64))
    (tmp_path / "a.jpg").write_bytes(image)
    _bank(db, tmp_path, [(image, "r", "2015-04-01")])
    monkeypatch.setenv("CLEARSIGHT_GENERATORS_SINCE", "2010-01-01")
    [record] = records(clearsight("scan", str(tmp_path / "a.jpg"), "--db", db, "--format", "jsonl").stdout)
    assert record["provenance"]["authenticity"]["first_seen"]["predates_generators"] is False


def test_every_image_record_has_the_authenticity_keys_and_a_png_no_encoder(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    (images / "a.png").write_bytes(png())
    (images / "b.jpg").write_bytes(camera_jpeg())
    scanned = {Path(record["path"]).name: record["provenance"]
               for record in records(clearsight("scan", str(images), "--db", str(tmp_path / "case.db"), "--format", "jsonl").stdout)}
    assert all(set(record["authenticity"]) == AUTHENTICITY_KEYS for record in scanned.values())
    assert scanned["a.png"]["authenticity"]["encoder"] is None
    assert scanned["b.jpg"]["authenticity"]["encoder"]["class"] == "software", "Pillow wrote it, whatever its EXIF says"


AI_MADE = {
    "a1111.png": lambda: png({"parameters": f"{SECRET_PROMPT}\nSteps: 20, Sampler: Euler, Seed: 1, Model: base"}),
    "a1111.jpg": lambda: exif_image("JPEG", exif={0x9286: user_comment(f"{SECRET_PROMPT}\nSteps: 20, Sampler: Euler, Seed: 1, Model: base")},
                                    zeroth={0x010F: b"Canon", 0x0110: b"Canon EOS R6"}),
    "comfy.png": lambda: png({"prompt": dumps(comfy_graph())}),
}


@pytest.mark.parametrize("name", sorted(AI_MADE))
def test_nothing_ai_made_gets_support_for_capture_from_its_encoder_or_metadata(name: str) -> None:
    evidence = collect(ImageContext.of(item_of(AI_MADE[name]()), Settings()))
    assert any(entry.ai_generated for entry in evidence)
    assert not [entry.source for entry in evidence if entry.claims.get("supports_capture")]


def _peer_ai_files() -> list[Path]:
    """The AI-made files among the peer projects' samples (sd-parsers', and C2PA test files whose
    expected verdict is ai), where they are present."""
    found = sorted((PEER_FILES / "sd_parsers").glob("*")) if (PEER_FILES / "sd_parsers").is_dir() else []
    expected = json.loads((EXPECTATIONS / "c2pa_public" / "expected.json").read_text())
    found += [PEER_FILES / "c2pa_public" / name for name, entry in sorted(expected.items()) if entry.get("verdict") == "ai"]
    return [path for path in found if path.is_file()]


@pytest.mark.skipif(not _peer_ai_files(), reason="the peer test files are not there (tests/peer_files.py)")
def test_no_ai_made_peer_sample_gets_support_for_capture() -> None:
    for path in _peer_ai_files():
        evidence = collect(ImageContext.of(item_of(path.read_bytes(), str(path)), Settings()))
        assert not [entry.source for entry in evidence if entry.claims.get("supports_capture")], path.name


def test_the_authenticity_report_has_the_files_hashes_and_findings_and_no_prompt(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    image = exif_image("JPEG", exif={0x9286: user_comment(f"{SECRET_PROMPT}\nSteps: 20, Sampler: Euler, Seed: 1, Model: base")})
    (tmp_path / "a.jpg").write_bytes(image)
    _bank(db, tmp_path, [(image, "r-1", "2016-05-05")])
    clearsight("explain", str(tmp_path / "a.jpg"), "--db", db, "--report", str(tmp_path / "report.html"))
    page = (tmp_path / "report.html").read_text()
    assert hashlib.sha256(image).hexdigest() in page and hashlib.md5(image).hexdigest() in page
    assert "first seen on 2016-05-05" in page and "Known limits" in page and "Method" in page
    assert "libjpeg (IJG)" in page
    assert SECRET_PROMPT not in page and "<img" not in page and "data:image" not in page


def test_the_report_has_the_files_hashes_without_a_case_database_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image = camera_jpeg()
    (tmp_path / "a.jpg").write_bytes(image)
    monkeypatch.setenv("CLEARSIGHT_DB", str(tmp_path / "none.db"))
    clearsight("explain", str(tmp_path / "a.jpg"), "--report", str(tmp_path / "report.html"))
    page = (tmp_path / "report.html").read_text()
    assert hashlib.sha256(image).hexdigest() in page and "PDQ" in page
    assert not (tmp_path / "none.db").exists(), "without --db, explain opens no case database that is not there"


def test_explain_prints_the_authenticity_section_and_its_json(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(camera_jpeg())
    shown = clearsight("explain", str(tmp_path / "a.jpg"), "--db", str(tmp_path / "none.db"), columns=200).stdout
    assert "Authenticity" in shown and "encoder: software libjpeg (IJG)" in shown
    record = json.loads(clearsight("explain", str(tmp_path / "a.jpg"), "--format", "json").stdout)["provenance"]
    assert set(record["authenticity"]) == AUTHENTICITY_KEYS and record["authenticity"]["first_seen"] is None


@pytest.mark.skipif(not shutil.which("chromium"), reason="PDF reports are printed by Debian's chromium")
def test_the_authenticity_report_prints_to_pdf(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(camera_jpeg())
    clearsight("explain", str(tmp_path / "a.jpg"), "--report", str(tmp_path / "report.pdf"))
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
