"""Near-duplicates graded once: crops and re-encodes of one picture form a cluster, the queue
lists only its representative with the cluster's size, and one reveal and one grade settle all
ten, each copy naming the representative and sharing its review; the cluster's grid shows
nothing until one reveal for the page, which counts as a reveal of every item in it."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Browser, expect

from clearsight.assess.audit import AuditLog
from clearsight.assess.grading import Grading
from clearsight.hashing.bits import hamming_distances, hex_to_words
from clearsight.store.db import open_engine
from clearsight.store.items import ItemStore, QueueFilter
from tests.in_process_scan import scan_here
from tests.web.test_browser import _log_in, browser, site

__all__ = ["browser", "site"]


def _picture() -> Image.Image:
    """A benign textured scene: smooth colour fields with a few shapes."""
    rng = np.random.default_rng(11)
    y, x = np.mgrid[0:300, 0:400]
    pixels = np.stack([128 + 90 * np.sin(x / 37.0), 128 + 90 * np.cos(y / 23.0), 128 + 60 * np.sin((x + y) / 51.0)], axis=-1)
    pixels += rng.normal(0, 4, pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    for n in range(6):
        image.paste((40 * n, 255 - 30 * n, 90), (30 + 55 * n, 40 + 25 * n, 70 + 55 * n, 90 + 25 * n))
    return image


def _encoded(image: Image.Image, fmt: str, **options: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _variants(folder: Path) -> None:
    """The picture and nine near-duplicates of it: re-encodes, crops, resizes."""
    picture = _picture()
    width, height = picture.size
    versions = {
        "original.png": _encoded(picture, "PNG"),
        "q90.jpg": _encoded(picture, "JPEG", quality=90), "q70.jpg": _encoded(picture, "JPEG", quality=70),
        "q50.jpg": _encoded(picture, "JPEG", quality=50), "webp.webp": _encoded(picture, "WEBP", quality=80),
        "crop2.png": _encoded(picture.crop((4, 3, width - 4, height - 3)), "PNG"),
        "crop3.jpg": _encoded(picture.crop((6, 0, width - 6, height)), "JPEG", quality=85),
        "small.png": _encoded(picture.resize((360, 270)), "PNG"), "smaller.jpg": _encoded(picture.resize((300, 225)), "JPEG", quality=80),
        "thumb.jpg": _encoded(picture.resize((200, 150)), "JPEG", quality=75),
    }
    folder.mkdir()
    for name, data in versions.items():
        (folder / name).write_bytes(data)


def test_ten_near_duplicates_are_graded_with_one_reveal(site: str, browser: Browser, tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    _variants(tmp_path / "variants")
    scan_here(tmp_path / "variants", db)
    engine = open_engine(db)
    ids = {Path(row["path"]).name: row["id"] for row in ItemStore(engine).queue(QueueFilter(queue="all"), "x")[0]}
    pdq = {name: ItemStore(engine).item(item_id).hashes["pdq"] for name, item_id in ids.items() if name != "board.png"}
    spread = hamming_distances(hex_to_words(list(pdq.values())), hex_to_words([pdq["original.png"]] * len(pdq)))
    assert spread.max() <= 31, dict(zip(pdq, spread.tolist(), strict=True))  # the fixture really is ten near-duplicates
    page = _log_in(browser, site, "ann")
    page.goto(f"{site}/queue")
    expect(page.locator("main")).to_contain_text("2 items")  # the site's own picture and the cluster's representative
    expect(page.locator("#queue-items")).to_contain_text("cluster of 10")
    page.locator("h1").click()
    page.keyboard.press("o")
    expect(page.locator("h1")).to_contain_text("Item")
    page.locator("h1").click()
    page.keyboard.press("v")
    expect(page.locator("#preview")).to_be_visible()
    representative = int(page.locator("h1").inner_text().split()[-1])
    expect(page.locator("#cluster")).to_contain_text("cluster of 10")
    page.locator("h1").click()
    page.keyboard.press("k")
    page.keyboard.press("a")
    expect(page.locator("h1")).not_to_have_text(f"Item {representative}")
    reveals = [entry for entry in AuditLog(engine).entries() if entry["action"] == "item.reveal" and entry["actor"] == "ann"]
    assert len(reveals) == 1
    grading = Grading(engine, AuditLog(engine))
    source = grading.current(representative)
    assert source is not None and source["review_state"] == "pending" and source["uk_category"] == "A"
    for name, item_id in ids.items():
        if name == "board.png" or item_id == representative:
            continue
        copy = grading.current(item_id)
        assert copy is not None and (copy["duplicate_of"], copy["source_id"], copy["uk_category"]) == (representative, source["id"], "A"), name
    page.goto(f"{site}/clusters/{representative}")
    expect(page.locator("#grid img")).to_have_count(0)
    page.locator("h1").click()
    page.keyboard.press("v")
    expect(page.locator("#grid img")).to_have_count(10)
    grid_reveals = [entry for entry in AuditLog(engine).entries() if entry["action"] == "item.reveal" and (entry["details"] or {}).get("stage") == "grid"]
    assert len(grid_reveals) == 10
