"""Keyboard-first grading in the browser: from the queue, one key opens the first item; one key
grades it and brings the next without reloading the page; a category carries over the legal
basis, age band and sex last chosen; one key undoes the last grade; every key the page answers
to is listed in its help overlay; and the pages have no serious accessibility violations."""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from clearsight.assess.audit import AuditLog
from clearsight.assess.grading import Grading
from clearsight.assess.schema import Grade
from clearsight.store.db import open_engine
from clearsight.store.items import ItemStore, QueueFilter
from tests.in_process_scan import scan_here
from tests.media_factory import image_bytes
from tests.web.test_browser import _log_in, browser, site

__all__ = ["browser", "site"]
ITEMS = 20


def _twenty_more(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for seed in range(ITEMS - 1):  # with the site's own picture, 20 items
        (folder / f"photo{seed:02d}.png").write_bytes(image_bytes("PNG", seed=seed + 100))
    scan_here(folder, str(tmp_path / "case.db"))


def _keys_listed(page: Page) -> tuple[set[str], set[str]]:
    """(keys the page's elements answer to, keys its help overlay lists)."""
    answered = set(page.eval_on_selector_all("[data-key]", "elements => elements.map(e => e.dataset.key)"))
    listed = set(page.eval_on_selector_all("#shortcuts-help kbd", "elements => elements.map(e => e.textContent)"))
    return answered, listed


def test_twenty_items_are_graded_from_the_keyboard_without_a_page_reload(site: str, browser: Browser, tmp_path: Path) -> None:
    _twenty_more(tmp_path)
    engine = open_engine(str(tmp_path / "case.db"))
    Grading(engine, AuditLog(engine)).grade(1, "ann", Grade("criminal", "pseudo_photo", "C", age_band="11-13", sex="girls"))
    Grading(engine, AuditLog(engine)).withdraw_last("ann")  # the carried values stay those of this criminal grade
    page = _log_in(browser, site, "ann")
    page.goto(f"{site}/queue")
    expect(page.locator("main")).to_contain_text(f"{ITEMS} items")
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    presses = 0

    def press(key: str) -> None:
        nonlocal presses
        presses += 1
        page.keyboard.press(key)

    press("o")
    expect(page.locator("h1")).to_contain_text("Item")
    page.wait_for_load_state()
    loads.clear()
    page.evaluate("window.notReloaded = true")
    answered, listed = _keys_listed(page)
    assert listed == {"a", "b", "c", "n", "u", "k", "f", "z", "v", "q", "?"}
    assert answered == listed - {"k"}  # k (grade the whole cluster) is offered only on a cluster's representative
    expect(page.locator("#carried")).to_contain_text("pseudo photo, age 11-13, girls")
    graded: list[str] = []
    for number in range(ITEMS):
        heading = page.locator("h1").inner_text()
        graded.append(heading)
        # Every item so far came in by htmx: no page load, and the page's own state survived.
        assert loads == [] and page.evaluate("window.notReloaded") is True
        press("c" if number % 4 == 0 else "n")
        if number < ITEMS - 1:
            expect(page.locator("h1")).not_to_have_text(heading)
    expect(page).to_have_url(f"{site}/queue")
    assert len(set(graded)) == ITEMS
    assert presses / ITEMS <= 3
    rows, _ = ItemStore(engine).queue(QueueFilter(queue="all"), "nobody")
    grades = {row["id"]: (row["review_state"], row["uk_category"]) for row in rows}
    assert sorted(state for state, _ in grades.values()) == ["pending"] * ITEMS
    assert sum(category == "C" for _, category in grades.values()) == ITEMS // 4
    category_c = next(row for row in rows if row["uk_category"] == "C")
    current = Grading(engine, AuditLog(engine)).current(category_c["id"])
    assert current is not None and (current["uk_legal_basis"], current["age_band"], current["sex"]) == ("pseudo_photo", "11-13", "girls")
    page.goto(f"{site}/items/{graded[-1].split()[-1]}")  # back on the last item: undo its grade with one key
    page.evaluate("window.notReloaded = true")
    page.keyboard.press("z")
    expect(page.locator("main")).to_contain_text("Not graded yet.")
    assert page.evaluate("window.notReloaded") is True
    assert Grading(engine, AuditLog(engine)).current(int(graded[-1].split()[-1])) is None


def test_the_help_overlay_opens_with_a_key_and_lists_every_shortcut(site: str, browser: Browser) -> None:
    page = _log_in(browser, site, "ann")
    for path in ("/queue", "/items/1"):
        page.goto(f"{site}{path}")
        page.locator("h1").click()
        page.keyboard.press("?")
        expect(page.locator("#shortcuts-help")).to_be_visible()
        answered, listed = _keys_listed(page)
        assert answered <= listed, path
        violations = [rule for rule in Axe().run(page).response["violations"] if rule["impact"] in ("serious", "critical")]
        assert violations == [], (path, [(rule["id"], rule["help"]) for rule in violations])
        page.keyboard.press("Escape")
        expect(page.locator("#shortcuts-help")).to_be_hidden()
