"""The assessment app in a real browser (Debian's chromium, driven by Playwright; `make test`
installs it, nothing is downloaded): log in, work a queue item from reveal to grade, have a
second analyst confirm it, and see it all in the audit trail. The item page shows no imagery
until asked, and then only blurred and greyscale: checked on screenshots, by looking for the
test image's own saturated colours."""

from __future__ import annotations

import io
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import uvicorn
from PIL import Image
from playwright.sync_api import Browser, Page, expect, sync_playwright

from clearsight.assess.accounts import Accounts
from clearsight.config import Settings
from clearsight.store.db import open_engine
from clearsight.web.app import create_app
from tests.cli_runner import clearsight
from tests.loopback import free_port
from tests.web_client import PASSWORD

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
MAGENTA, GREEN = (255, 0, 255), (0, 200, 0)


def _checkerboard() -> Image.Image:
    """A benign test picture in two saturated colours that the app's own pages never use."""
    cells = (np.indices((6, 8)).sum(axis=0) % 2).astype(bool)
    pixels = np.where(np.kron(cells, np.ones((40, 40), dtype=bool))[..., None], MAGENTA, GREEN).astype(np.uint8)
    return Image.fromarray(pixels)


def _saturated_share(png: bytes) -> float:
    """Share of a screenshot's pixels close to the test picture's colours."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    near = [np.abs(pixels - np.array(colour)).sum(axis=2) < 60 for colour in (MAGENTA, GREEN)]
    return float((near[0] | near[1]).mean())


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    db = str(tmp_path / "case.db")
    folder = tmp_path / "case"
    folder.mkdir()
    _checkerboard().save(folder / "board.png")
    clearsight("scan", str(folder), "--db", db)
    accounts = Accounts(open_engine(db), actor="test")
    for name, role in (("ann", "analyst"), ("bob", "analyst"), ("ada", "admin")):
        accounts.add(name, role, PASSWORD)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(db=db)), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def chromium_path() -> str:
    """Debian's chromium, which `make test` installs; the test fails without it rather than download one."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    return chromium


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def _log_in(browser: Browser, site: str, name: str) -> Page:
    page = browser.new_context(viewport={"width": 1200, "height": 1600}).new_page()
    page.goto(f"{site}/queue")
    expect(page).to_have_url(f"{site}/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page.locator("header")).to_contain_text(name)
    return page


def test_an_item_is_revealed_graded_confirmed_and_audited_in_the_browser(site: str, browser: Browser) -> None:
    ann = _log_in(browser, site, "ann")
    ann.click("text=Queue")
    ann.click("tr:has-text('board.png') a")
    expect(ann.locator("h1")).to_contain_text("Item")
    assert ann.locator("img").count() == 0
    assert _saturated_share(ann.screenshot(full_page=True)) == 0.0

    ann.click("#reveal")
    expect(ann.locator("img#preview")).to_be_visible()
    assert _saturated_share(ann.screenshot(full_page=True)) == 0.0  # blurred and greyscale

    ann.select_option("#grade-outcome", "criminal")
    ann.select_option("#grade-uk_legal_basis", "indecent_photo")
    ann.select_option("#grade-uk_category", "B")
    ann.select_option("#grade-age_band", "11-13")
    ann.select_option("#grade-production", "real")
    expect(ann.locator("#derived-labels")).to_contain_text("B1")  # shown by htmx before saving
    expect(ann.locator("#derived-labels")).to_contain_text("national")
    ann.click("text=Save grade")
    expect(ann.locator("#current-grade")).to_contain_text("pending")

    bob = _log_in(browser, site, "bob")
    bob.goto(f"{site}/queue?queue=review")
    bob.click("tr:has-text('board.png') a")
    bob.click("text=Confirm this grade")
    expect(bob.locator("#current-grade")).to_contain_text("confirmed")

    ada = _log_in(browser, site, "ada")
    ada.click("text=Audit trail")
    audit = ada.locator("main")
    expect(audit).to_contain_text("intact")
    for action in ("item.reveal", "grade", "review.confirm", "login"):
        expect(audit).to_contain_text(action)


def test_the_screenshot_check_sees_an_unblurred_colour_preview(site: str, browser: Browser) -> None:
    """The colour check above would catch imagery: an analyst who turned greyscale off and unblurs sees the colours."""
    bob = _log_in(browser, site, "bob")
    bob.click("text=Preferences")
    bob.uncheck("input[name=greyscale]")
    bob.click("text=Save")
    bob.goto(f"{site}/queue")
    bob.click("tr:has-text('board.png') a")
    bob.click("#reveal")
    expect(bob.locator("img#preview")).to_be_visible()
    assert _saturated_share(bob.screenshot(full_page=True)) < 0.01  # blurred: the colours mix
    bob.click("#reveal")
    expect(bob.locator("text=Shown unblurred")).to_be_visible()
    assert _saturated_share(bob.screenshot(full_page=True)) > 0.02
