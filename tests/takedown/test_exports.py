"""What partners take in: the blocking URL list (confirmed criminal URLs still live, or their
digests), the INHOPE-style forward (fields and hashes, checked by its schema) and the NCMEC
CyberTipline XML (valid against the XSD written from NCMEC's documentation)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from defusedxml import ElementTree

from clearsight.export.cybertip import SCHEMA as CYBERTIP_XSD
from clearsight.export.inhope_forward import SCHEMA as FORWARD_SCHEMA
from clearsight.export.url_list import normalise_url
from tests.cli_runner import clearsight
from tests.stats.test_statistics import item, report

REMOVED = "notice@2026-02-01T10:00:00Z;removed@2026-02-02T10:00:00Z"


def _hashed(index: int, **grade: Any) -> dict[str, Any]:
    """An item with its own SHA-256 and a PDQ far from every other item's (so no re-appearance is found)."""
    return item("image", 2026, **grade) | {"sha256": f"{index:064x}", "pdq": hashlib.sha256(bytes([index])).hexdigest()}


@pytest.fixture
def case(tmp_path: Path) -> str:
    db = str(tmp_path / "case.db")
    records = [
        report(2026, [_hashed(1)], report_id="live", url="https://Live.Example:443/a?b=C#frag", actions="notice@2026-02-01T10:00:00Z"),
        report(2026, [_hashed(2)], report_id="gone", url="https://gone.example/x", actions=REMOVED),
        report(2026, [_hashed(3)], report_id="back", url="https://back.example/y", actions=REMOVED + ";still_live@2026-02-09T10:00:00Z"),
        report(2026, [_hashed(4, outcome="not_criminal")], report_id="legal", url="https://legal.example/z"),
        report(2026, [_hashed(5, production="real"), _hashed(6, production="ai_realistic")], report_id="mixed", url="http://mixed.example/m"),
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    clearsight("records", "import", str(path), "--db", db)
    return db


def test_the_url_list_holds_only_confirmed_criminal_urls_still_live_by_their_last_observation(case: str, tmp_path: Path) -> None:
    clearsight("export", "urls", str(tmp_path / "urls.txt"), "--db", case)
    assert (tmp_path / "urls.txt").read_text().splitlines() == ["http://mixed.example/m", "https://back.example/y", "https://live.example/a?b=C"]
    clearsight("export", "urls", str(tmp_path / "hashed.txt"), "--db", case, "--hashed")
    assert hashlib.sha256(b"https://live.example/a?b=C").hexdigest() in (tmp_path / "hashed.txt").read_text().splitlines()
    assert "live.example" not in (tmp_path / "hashed.txt").read_text()


def test_urls_are_normalised_as_a_partner_would_see_them() -> None:
    assert normalise_url("HTTPS://Bücher.Example:443#top") == "https://xn--bcher-kva.example/"
    assert normalise_url("http://host.example:8080/Path?Q=1") == "http://host.example:8080/Path?Q=1"


def test_the_inhope_forward_carries_fields_and_hashes_and_follows_its_schema(case: str, tmp_path: Path) -> None:
    clearsight("export", "inhope", str(tmp_path / "forward.json"), "--report", "2", "--report", "5", "--hotline", "Test hotline", "--db", case)
    document = json.loads((tmp_path / "forward.json").read_text())
    jsonschema.validate(document, json.loads(FORWARD_SCHEMA.read_text()))
    gone, mixed = document["reports"]
    assert (gone["reference"], [event["event"] for event in gone["lifecycle"]]) == ("gone", ["notice", "removed"])
    assert [(entry["hashes"]["sha256"], entry["grade"]["ai_made"]) for entry in mixed["items"]] == [(f"{5:064x}", False), (f"{6:064x}", True)]
    assert "path" not in json.dumps(document), "no file names, no media"


def test_the_cybertipline_report_validates_against_ncmec_s_schema_with_generative_ai_only_on_ai_made_items(case: str, tmp_path: Path) -> None:
    folder = tmp_path / "cybertip"
    clearsight("export", "cybertip", str(folder), "--report", "5", "--reporter-email", "reports@hotline.example", "--db", case)
    schema = xmlschema.XMLSchema(str(CYBERTIP_XSD))
    documents = sorted(folder.iterdir())
    assert [path.name for path in documents] == ["file-5.xml", "file-6.xml", "report.xml"]
    for path in documents:
        schema.validate(str(path))
    report_root = ElementTree.parse(folder / "report.xml").getroot()
    assert report_root.findtext("internetDetails/webPageIncident/url") == "http://mixed.example/m"
    annotated = {path.name: ElementTree.parse(path).getroot().find("fileAnnotations/generativeAi") is not None for path in documents[:2]}
    assert annotated == {"file-5.xml": False, "file-6.xml": True}
    hashes = ElementTree.parse(folder / "file-6.xml").getroot().findall("originalFileHash")
    assert [(element.get("hashType"), element.text) for element in hashes] == [("SHA256", f"{6:064x}")]


def test_a_report_without_a_criminal_item_is_not_filed(case: str, tmp_path: Path) -> None:
    completed = clearsight("export", "cybertip", str(tmp_path / "no"), "--report", "4", "--reporter-email", "r@hotline.example", "--db", case, check=False)
    assert completed.returncode != 0 and "no item with a confirmed criminal grade" in completed.stderr
