"""The case overview (`/`) in the browser: a known case's items by type and state, its bank
matches, verdicts and reports, and the analyst's own day, read from what the page shows; and no
serious accessibility violations on it (axe-core, run in the page)."""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from clearsight.assess.audit import AuditLog
from clearsight.assess.grading import Grading
from clearsight.assess.schema import Grade
from clearsight.store.db import open_engine
from clearsight.store.items import ItemStore, QueueFilter
from clearsight.store.records import ReportRecord
from clearsight.store.reports import ReportStore
from tests.in_process_scan import scan_here
from tests.media_factory import image_bytes
from tests.provenance_factory import INFOTEXT, png
from tests.web.test_browser import _log_in, browser, site

__all__ = ["browser", "site"]
SERIOUS = ("serious", "critical")


def _known_case(tmp_path: Path) -> None:
    """Beside the site's one picture (board.png): an AI-made PNG and four photographs; ann grades
    two (one confirmed by bob, one disputed by bob), bob grades one that waits for review; two reports."""
    db = str(tmp_path / "case.db")
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "ai.png").write_bytes(png({"parameters": INFOTEXT}))
    for seed in range(4):
        (folder / f"photo{seed}.jpg").write_bytes(image_bytes("JPEG", seed=seed + 20))
    scan_here(folder, db)
    engine = open_engine(db)
    rows, _ = ItemStore(engine).queue(QueueFilter(queue="all"), "nobody")
    ids = {Path(row["path"]).name: row["id"] for row in rows}
    grading = Grading(engine, AuditLog(engine))
    grading.confirm(grading.grade(ids["photo0.jpg"], "ann", Grade("not_criminal", production="real")), "bob")
    grading.dispute(grading.grade(ids["photo1.jpg"], "ann", Grade("not_criminal")), "bob", "look again")
    grading.grade(ids["ai.png"], "bob", Grade("not_criminal", production="ai_realistic"))
    reports = ReportStore(engine)
    reports.add([ReportRecord(url="https://host.example/a", source="public"),
                 ReportRecord(url="https://host.example/b", source="public", outcome="criminal")], "test")


def test_the_overview_shows_the_state_of_a_known_case(site: str, browser: Browser, tmp_path: Path) -> None:
    _known_case(tmp_path)
    page = _log_in(browser, site, "ann")
    page.goto(f"{site}/")
    images = page.locator("#items-by-state tr", has_text="image")
    expect(page.locator("#items-by-state caption")).to_contain_text("6 in all")
    for state, count in (("ungraded", "3"), ("pending review", "1"), ("disputed", "1"), ("confirmed", "1"), ("known (automatic)", "0")):
        expect(images.locator(f"td[data-state='{state}']")).to_have_text(count)
    expect(page.locator("#verdict-ai")).to_have_text("1")
    expect(page.locator("#matched")).to_have_text("0")
    expect(page.locator("#reports-open")).to_have_text("1")
    expect(page.locator("#reports-criminal")).to_have_text("1")
    expect(page.locator("#grades-today")).to_have_text("2")
    expect(page.locator("#grades-last-hour")).to_have_text("2")
    expect(page.locator("#exposure")).to_contain_text("0 of")
    assert "built-in method" not in page.content()
    violations = [rule for rule in Axe().run(page).response["violations"] if rule["impact"] in SERIOUS]
    assert violations == [], [(rule["id"], rule["help"]) for rule in violations]


def test_the_queue_item_and_grid_pages_have_no_serious_accessibility_violations(site: str, browser: Browser) -> None:
    page = _log_in(browser, site, "ann")
    for path in ("/queue?queue=all", "/items/1", "/clusters/1"):  # the queue clusters the site's picture, alone
        page.goto(f"{site}{path}")
        violations = [rule for rule in Axe().run(page).response["violations"] if rule["impact"] in SERIOUS]
        assert violations == [], (path, [(rule["id"], rule["help"], [node["target"] for node in rule["nodes"]][:3]) for rule in violations])
