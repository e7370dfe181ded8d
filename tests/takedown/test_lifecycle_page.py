"""The lifecycle in the browser: events entered on the report page from the keyboard (each
lifecycle button has its letter), shown in its table, and counted on the /stats page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from clearsight.store.db import open_engine
from clearsight.store.records import ReportRecord
from clearsight.store.reports import ReportStore
from tests.web.test_browser import _log_in, browser, site

__all__ = ["browser", "site"]


def test_notice_and_removal_are_entered_with_access_keys_and_counted_on_the_stats_page(site: str, browser: Browser, tmp_path: Path) -> None:
    ReportStore(open_engine(str(tmp_path / "case.db"))).add([ReportRecord(url="https://gallery.example/p/1", source="public", site_type="ai_gallery")], "test")
    page = _log_in(browser, site, "ann")
    page.goto(f"{site}/reports/1")
    page.select_option("select[name=to]", "host")
    page.locator("h1").click()
    page.keyboard.press("n")
    expect(page.locator("#lifecycle")).to_contain_text("notice")
    expect(page.locator("#lifecycle tr").nth(1)).to_contain_text("host")
    page.locator("h1").click()
    page.keyboard.press("r")
    expect(page.locator("#lifecycle tr")).to_have_count(3)
    expect(page.locator("#lifecycle tr").nth(2)).to_contain_text("removed")
    expect(page.locator("nav")).not_to_contain_text("Statistics")  # analysts grade; reviewers and admins publish figures
    admin = _log_in(browser, site, "ada")
    admin.click("text=Statistics")
    removal = admin.locator("#time_to_removal_by_site_type")
    expect(removal).to_contain_text("ai_gallery")
    expect(removal.locator("tr").nth(1)).to_contain_text("100%")
