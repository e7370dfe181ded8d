"""The yearly statistics: tables reproduce hand-computed figures exactly, reports count by the
hotline rules (most severe item, youngest child), only confirmed grades count, imported records
with bad fields are refused line by line, and the published page shows its charts."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from playwright.sync_api import sync_playwright

from clearsight.assess.accounts import Accounts
from clearsight.assess.audit import AuditLog
from clearsight.assess.grading import Grading
from clearsight.assess.schema import Grade
from clearsight.config import Settings
from clearsight.store.db import open_engine
from clearsight.web.app import create_app
from tests.cli_runner import clearsight
from tests.web.test_browser import CHROMIUM_FLAGS, chromium_path
from tests.web_client import PASSWORD, log_in

_ids = count(1)


def item(media_type: str, year: int, category: str = "A", production: str = "ai_realistic", age: str = "7-10", sex: str = "girls",
         outcome: str = "criminal") -> dict[str, Any]:
    basis = "pseudo_photo" if production.startswith("ai_") and production != "ai_non_realistic" else "indecent_photo"
    if production in ("ai_non_realistic", "drawn_cgi"):
        basis, category = "prohibited_image", "none"
    return {"item_id": f"i{next(_ids)}", "media_type": media_type, "assessed_at": f"{year}-06-01T12:00:00Z", "outcome": outcome,
            "uk_legal_basis": basis if outcome == "criminal" else "none", "uk_category": category if outcome == "criminal" else "none",
            "age_band": age, "sex": sex, "production": production}


def report(year: int, items: list[dict[str, Any]], site_type: str = "image_host", country: str = "NL", **extra: str) -> dict[str, Any]:
    return {"report_id": f"r{next(_ids)}", "received_at": f"{year}-05-01T09:00:00Z", "source": "public", "url": f"https://host{next(_ids)}.example/",
            "web_layer": "clear", "site_type": site_type, "hosting_country": country, "commercial": "none", "items": items, **extra}


def write_records(path: Path, reports: list[dict[str, Any]], extra_lines: tuple[str, ...] = ()) -> Path:
    path.write_text("\n".join([json.dumps(line) for line in reports] + list(extra_lines)) + "\n")
    return path


def stats(db: str, year: int) -> dict[str, dict[str, Any]]:
    figures = json.loads(clearsight("stats", "--year", str(year), "--db", db, "--format", "json").stdout)
    return {table["name"]: {row["value"]: row for row in table["rows"]} for table in figures["tables"]}


def _batches(items: list[dict[str, Any]], year: int, size: int = 500) -> list[dict[str, Any]]:
    return [report(year, items[start : start + size]) for start in range(0, len(items), size)]


@pytest.fixture
def published(tmp_path: Path) -> str:
    """13 realistic AI videos in 2024; 3,443 in 2025, 2,233 of them category A."""
    db = str(tmp_path / "case.db")
    last = [item("video", 2024, "A" if n < 9 else "B") for n in range(13)]
    now = [item("video", 2025, "A" if n < 2233 else ("B" if n < 3000 else "C")) for n in range(3443)]
    now += [item("image", 2025, production="real", age="3-6") for _ in range(20)] + [item("image", 2025, production="ai_non_realistic")]
    clearsight("records", "import", str(write_records(tmp_path / "records.jsonl", _batches(last, 2024) + _batches(now, 2025))), "--db", db)
    return db


def test_the_tables_reproduce_hand_computed_figures_exactly(published: str) -> None:
    tables = stats(published, 2025)
    videos = tables["ai_items_by_media_type"]["video"]
    assert (videos["count"], videos["last_year_count"]) == (3443, 13)
    assert videos["yoy_pct"] == (3443 - 13) / 13 * 100 and round(videos["yoy_pct"], 1) == 26384.6
    category_a = tables["ai_videos_by_category"]["A"]
    assert category_a["count"] == 2233 and category_a["pct"] == 2233 / 3443 * 100 and round(category_a["pct"], 1) == 64.9
    assert category_a["last_year_pct"] == 9 / 13 * 100 and category_a["pct_point_change"] == 2233 / 3443 * 100 - 9 / 13 * 100
    assert tables["ai_videos_by_category"]["C"]["yoy_pct"] is None  # none the year before
    production = tables["items_by_production"]
    assert (production["ai_realistic"]["count"], production["real"]["count"], production["ai_non_realistic"]["count"]) == (3443, 20, 1)
    assert "image" not in tables["ai_items_by_media_type"]  # real and non-realistic images are not AI items
    assert tables["ai_images_by_category"] == {}


def test_a_report_counts_at_its_most_severe_item_and_its_youngest_child(db: str, tmp_path: Path) -> None:
    mixed = report(2025, [item("image", 2025, "C", age="14-15"), item("image", 2025, "A", age="11-13"), item("video", 2025, "B", age="3-6")],
                   site_type="ai_gallery", country="US")
    benign = report(2025, [item("image", 2025, outcome="not_criminal")], site_type="forum", country="FR")
    clearsight("records", "import", str(write_records(tmp_path / "r.jsonl", [mixed, benign])), "--db", db)
    tables = stats(db, 2025)
    assert {value: row["count"] for value, row in tables["reports_by_category"].items()} == {"A": 1}
    assert {value: row["count"] for value, row in tables["reports_by_age_band"].items()} == {"3-6": 1}
    assert {value: row["count"] for value, row in tables["reports_by_hosting_country"].items()} == {"US": 1}
    assert tables["ai_reports_by_site_type"]["ai_gallery"]["count"] == 1 and tables["ai_reports_by_web_layer"]["clear"]["pct"] == 100.0
    assert tables["ai_reports_by_site_type"]["ai_gallery"]["last_year_pct"] is None  # no table the year before


def test_bad_lines_are_reported_with_every_bad_field_and_skipped(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    good = report(2025, [item("image", 2025)])
    bad_item = report(2025, [item("image", 2025), {**item("gif", 2025), "uk_category": "D", "sha256": "xyz"}])
    bad_report = {**report(2025, []), "site_type": "darknet", "hosting_country": "Nowhere"}
    path = write_records(tmp_path / "r.jsonl", [good, bad_item, bad_report, good], ("{broken",))
    result = json.loads(clearsight("records", "import", str(path), "--db", db, "--format", "json").stdout)
    errors = {error["row"]: error["message"] for error in result["errors"]}
    assert len(result["reports"]) == 1 and sorted(errors) == [2, 3, 4, 5]
    assert "items[1]: media_type must be image or video" in errors[2] and "uk_category must be one of" in errors[2] and "sha256 must be 64 hex" in errors[2]
    assert "site type must be one of" in errors[3] and "hosting country must be a two-letter" in errors[3]
    assert errors[4] == f"report {good['report_id']} was imported already" and errors[5].startswith("not JSON")
    assert stats(db, 2025)["ai_items_by_media_type"]["image"]["count"] == 1


def test_only_confirmed_grades_count(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    Image.new("RGB", (64, 64), (90, 30, 160)).save(folder / "a.png")
    clearsight("scan", str(folder), "--db", db)
    engine = open_engine(db)
    grading = Grading(engine, AuditLog(engine))
    grade = Grade("criminal", "pseudo_photo", "B", age_band="11-13", production="ai_realistic")
    assessment = grading.grade(1, "ann", grade)
    year = datetime.now(UTC).year
    assert stats(db, year)["ai_items_by_media_type"] == {}
    grading.confirm(assessment, "bob")
    assert stats(db, year)["ai_items_by_media_type"]["image"]["count"] == 1


def test_csv_and_pdf_and_the_published_page_with_its_charts(published: str, tmp_path: Path) -> None:
    lines = clearsight("stats", "--year", "2025", "--db", published, "--format", "csv").stdout.splitlines()
    assert lines[0].startswith("table,value,count,pct,last_year_count,last_year_pct,yoy_pct,pct_point_change,"), "the header is only ever extended"
    width = lines[0].count(",")
    assert f"ai_items_by_media_type,video,3443,100.0,13,100.0,{(3443 - 13) / 13 * 100!r},0.0" + "," * (width - 7) in lines
    clearsight("stats", "--year", "2025", "--db", published, "--format", "pdf", "--out", str(tmp_path / "s.pdf"))
    assert (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF")
    html = tmp_path / "s.html"
    clearsight("stats", "--year", "2025", "--db", published, "--format", "html", "--out", str(html))
    page_text = html.read_text()
    assert "3,443" in page_text and "+26,385%" in page_text and "65%" in page_text and "<img" not in page_text

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(html.as_uri())
        assert page.locator("svg.chart").count() >= 12
        shot = np.asarray(Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB")).astype(int)
        browser.close()
    bars = (np.abs(shot - np.array([0x2F, 0x5D, 0x8A])).sum(axis=2) < 30).sum()
    trend_videos = (np.abs(shot - np.array([0xC0, 0x50, 0x4D])).sum(axis=2) < 30).sum()
    assert bars > 2000 and trend_videos > 500  # the bar charts and the trend's video bars are drawn


def test_csv_records_have_one_row_per_item_and_rows_of_a_report_id_make_one_report(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    header = "report_id,received_at,source,url,site_type,hosting_country,item_id,media_type,assessed_at,outcome,uk_legal_basis,uk_category,age_band,sex,production"
    rows = ["R1,2025-02-01T00:00:00Z,public,https://a.example/,ai_gallery,DE,1,image,2025-02-02T00:00:00Z,criminal,pseudo_photo,C,14-15,boys,ai_realistic",
            "R1,2025-02-01T00:00:00Z,public,https://a.example/,ai_gallery,DE,2,video,2025-02-02T00:00:00Z,criminal,pseudo_photo,B,7-10,girls,ai_realistic",
            "R2,2025-02-01T00:00:00Z,public,https://b.example/,forum,DE,1,video,2025-02-02T00:00:00Z,criminal,indecent_photo,Z,7-10,girls,real"]
    (tmp_path / "r.csv").write_text("\n".join([header, *rows]) + "\n")
    result = json.loads(clearsight("records", "import", str(tmp_path / "r.csv"), "--db", db, "--format", "json").stdout)
    assert result["reports"] == [1] and result["errors"][0]["row"] == 4 and "uk_category must be one of" in result["errors"][0]["message"]
    tables = stats(db, 2025)
    assert {value: row["count"] for value, row in tables["reports_by_category"].items()} == {"B": 1}
    assert tables["ai_items_by_sex"]["boys"]["pct"] == 50.0


def test_the_stats_page_shows_the_clis_figures_for_reviewers_with_the_same_downloads(published: str) -> None:
    accounts = Accounts(open_engine(published), actor="test")
    accounts.add("ann", "analyst", PASSWORD)
    accounts.add("rita", "reviewer", PASSWORD)
    client = TestClient(create_app(Settings(db=published)), follow_redirects=False)
    log_in(client, "ann")
    assert client.get("/stats", params={"year": 2025}).status_code == 403
    log_in(client, "rita")
    page = client.get("/stats", params={"year": 2025}).text
    cli = json.loads(clearsight("stats", "--year", "2025", "--db", published, "--format", "json").stdout)
    web = client.get("/stats/download", params={"year": 2025, "format": "json"}).json()
    assert {key: value for key, value in web.items() if key != "generated_at"} == {key: value for key, value in cli.items() if key != "generated_at"}
    assert "Statistics for 2025" in page and "3,443" in page and 'href="/stats/download?year=2025&amp;format=pdf"' in page
    csv_download = client.get("/stats/download", params={"year": 2025, "format": "csv"})
    assert csv_download.headers["content-disposition"] == 'attachment; filename="clearsight-statistics-2025.csv"'
    assert csv_download.text.splitlines() == clearsight("stats", "--year", "2025", "--db", published, "--format", "csv").stdout.splitlines()
    assert client.get("/stats/download", params={"year": 2025, "format": "pdf"}).content.startswith(b"%PDF")
