"""Exports partners read: confirmed grades as CSV, VICS 2.0 JSON and NCMEC XML hash lists that
read back through the banks importer, and case bundles with a manifest and no imagery unless asked."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from clearsight.assess.audit import AuditLog
from clearsight.assess.grading import Grading
from clearsight.assess.schema import Grade
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.items import ItemStore, QueueFilter
from clearsight.store.reports import ReportStore
from tests.cli_runner import clearsight
from tests.in_process_scan import scan_here
from tests.media_factory import image_bytes
from tests.provenance_factory import INFOTEXT, png

GRADES = {
    "ai.png": Grade("criminal", "pseudo_photo", "A", age_band="7-10", production="ai_realistic"),
    "photo.jpg": Grade("criminal", "indecent_photo", "C", age_band="14-15", production="real"),
    "benign.png": Grade("not_criminal"),
}


@pytest.fixture
def graded(tmp_path: Path) -> tuple[str, dict[str, int]]:
    db = str(tmp_path / "case.db")
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "ai.png").write_bytes(png({"parameters": INFOTEXT}))
    (folder / "photo.jpg").write_bytes(image_bytes("JPEG", seed=5))
    (folder / "benign.png").write_bytes(image_bytes("PNG", seed=6))
    (folder / "ungraded.png").write_bytes(image_bytes("PNG", seed=7))
    scan_here(folder, db)
    engine = open_engine(db)
    rows, _ = ItemStore(engine).queue(QueueFilter(queue="all"), "nobody")
    ids = {Path(row["path"]).name: row["id"] for row in rows}
    grading = Grading(engine, AuditLog(engine))
    for name, grade in GRADES.items():
        grading.confirm(grading.grade(ids[name], "ann", grade), "bob")
    report = tmp_path / "reports.jsonl"
    report.write_text(json.dumps({"url": "https://host.example/a", "source": "public"}) + "\n")
    clearsight("records", "import", str(report), "--db", db)
    ReportStore(engine).attach(1, list(ids.values()))
    return db, ids


def _round_trip(db: str, path: Path, fmt: str) -> dict[str | None, int]:
    clearsight("bank", "create", f"back-{fmt}", "--db", db)
    clearsight("bank", "import", f"back-{fmt}", str(path), "--format", fmt, "--db", db)
    bank = BankStore(open_engine(db)).banks([f"back-{fmt}"])[0]
    return bank.hashes


def test_vics_export_labels_each_item_by_its_vics_category_and_tags_ai_items(graded: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    db, ids = graded
    path = tmp_path / "graded.json"
    clearsight("export", "hashes", str(path), "--format", "vics", "--db", db)
    document = json.loads(path.read_text())
    assert "@odata.context" in document
    media = {entry["MediaID"]: entry for entry in document["value"]}
    assert set(media) == {ids["ai.png"], ids["photo.jpg"], ids["benign.png"]}
    ai = media[ids["ai.png"]]
    assert ai["Category"] == 1 and ai["Tags"] == ["AI-generated"] and len(ai["MD5"]) == 32 and ai["MD5"].isupper() and len(ai["SHA1"]) == 40
    assert {alternative["HashName"] for alternative in ai["AlternativeHashes"]} == {"SHA256", "PDQ"}
    assert media[ids["benign.png"]]["Category"] == 0 and "Tags" not in media[ids["photo.jpg"]]
    assert _round_trip(db, path, "vics") == {"md5": 3, "sha1": 3, "sha256": 3, "pdq": 3}


def test_ncmec_export_has_the_industry_classification_and_marks_generative_ai(graded: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    db, ids = graded
    path = tmp_path / "graded.xml"
    clearsight("export", "hashes", str(path), "--format", "ncmec", "--db", db)
    root = fromstring(path.read_bytes())
    namespace = "{https://hashsharing.ncmec.org/npo/v2}"
    images = {image.find(f"{namespace}id").text: image for image in root.iter(f"{namespace}image")}
    assert set(images) == {str(ids["ai.png"]), str(ids["photo.jpg"])}  # not criminal: no industry label
    ai, photo = images[str(ids["ai.png"])], images[str(ids["photo.jpg"])]
    assert ai.find(f"{namespace}classification").text == "A1" and photo.find(f"{namespace}classification").text == "B2"
    assert ai.find(f"{namespace}fileAnnotations/{namespace}generativeAi") is not None and photo.find(f"{namespace}fileAnnotations") is None
    assert _round_trip(db, path, "ncmec") == {"md5": 2, "sha1": 2, "pdq": 2}


def test_csv_export_lists_criminal_items_by_uk_category(graded: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    db, _ = graded
    path = tmp_path / "graded.csv"
    clearsight("export", "hashes", str(path), "--format", "csv", "--db", db)
    text = path.read_text()
    assert "uk:A" in text and "uk:C" in text and text.count("\n") == 3
    assert _round_trip(db, path, "csv") == {"md5": 2, "sha1": 2, "sha256": 2, "pdq": 2}


def test_a_case_bundle_has_a_manifest_hides_prompts_and_holds_no_imagery_unless_asked(graded: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    db, ids = graded
    plain, with_media = tmp_path / "case.zip", tmp_path / "case-media.zip"
    clearsight("export", "case", str(plain), "--db", db)
    clearsight("export", "case", str(with_media), "--db", db, "--report", "1", "--with-media")
    with zipfile.ZipFile(plain) as bundle:
        assert sorted(bundle.namelist()) == ["case.json", "manifest.json"]
        manifest = json.loads(bundle.read("manifest.json"))["sha256"]
        assert manifest == {"case.json": hashlib.sha256(bundle.read("case.json")).hexdigest()}
        case = json.loads(bundle.read("case.json"))
    assert "red square" not in json.dumps(case)
    items = {item["id"]: item for item in case["items"]}
    assert set(items) == set(ids.values()) and items[ids["ai.png"]]["grades"][0]["labels"]["ncmec_industry"] == "A1"
    assert "prompt" in items[ids["ai.png"]]["provenance"]["evidence"][0]["hidden"]
    assert {entry["action"] for entry in case["audit"]} >= {"grade", "review.confirm"}
    with zipfile.ZipFile(with_media) as bundle:
        media = [name for name in bundle.namelist() if name.startswith("media/")]
        assert len(media) == 4
        manifest = json.loads(bundle.read("manifest.json"))["sha256"]
        assert all(manifest[name] == hashlib.sha256(bundle.read(name)).hexdigest() for name in media)
    entries = AuditLog(open_engine(db)).entries(limit=2)
    assert [entry["action"] for entry in entries] == ["export.case", "export.case"]


def test_a_file_changed_since_its_scan_is_left_out_of_a_bundle_and_named(graded: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    db, ids = graded
    (tmp_path / "case" / "photo.jpg").write_bytes(image_bytes("JPEG", seed=99))
    bundle_path = tmp_path / "case-media.zip"
    done = clearsight("export", "case", str(bundle_path), "--db", db, "--report", "1", "--with-media", columns=300)
    assert f"Left out: item {ids['photo.jpg']}" in done.stderr
    with zipfile.ZipFile(bundle_path) as bundle:
        media = [name for name in bundle.namelist() if name.startswith("media/")]
        case = json.loads(bundle.read("case.json"))
    assert len(media) == 3 and not any(name.endswith("photo.jpg") for name in media)
    assert [item["id"] for item in case["media_changed"]] == [ids["photo.jpg"]]
    assert case["media_changed"][0]["sha256_now"] == hashlib.sha256(image_bytes("JPEG", seed=99)).hexdigest()
