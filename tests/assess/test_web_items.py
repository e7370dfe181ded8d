"""The queue and the item page: nothing without a session, no imagery until one item is revealed
(blurred greyscale first, then unblurred on a second request), prompts hidden, every view and
reveal audited."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from clearsight.assess.accounts import Accounts
from clearsight.config import Settings
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.records import BankRecord
from clearsight.web.app import create_app
from tests.in_process_scan import scan_here
from tests.media_factory import image_bytes
from tests.provenance_factory import INFOTEXT, png
from tests.video_factory import FPS, write_video
from tests.web_client import PASSWORD, csrf_of, log_in


@pytest.fixture
def case(db: str, tmp_path: Path) -> tuple[TestClient, Path]:
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "generated.png").write_bytes(png({"parameters": INFOTEXT}))
    (folder / "photo.jpg").write_bytes(image_bytes("JPEG", seed=4))
    write_video(folder / "clip.mp4", range(3 * FPS))
    scan_here(folder, db)
    Accounts(open_engine(db), actor="test").add("ann", "analyst", PASSWORD)
    return TestClient(create_app(Settings(db=db)), follow_redirects=False), folder


def _item_id(client: TestClient, name: str) -> int:
    match = re.search(r'<a href="/items/(\d+)">\d+</a></td><td>\w+</td><td>[^<]*</td><td>\d+</td><td>[^<]*' + re.escape(name), client.get("/queue").text)
    assert match, name
    return int(match[1])


def _preview(html: str) -> np.ndarray:
    match = re.search(r'<img src="data:image/png;base64,([^"]+)"', html)
    assert match
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(match[1]))).convert("RGB")).astype(int)


def test_the_queue_needs_a_session_and_filters_by_verdict(case: tuple[TestClient, Path]) -> None:
    client, _ = case
    assert client.get("/queue").status_code == 303
    log_in(client, "ann")
    page = client.get("/queue")
    assert "3 items" in page.text
    ai = client.get("/queue", params={"verdict": "ai"})
    assert "1 items" in ai.text and "generated.png" in ai.text and "photo.jpg" not in ai.text
    assert "1 items" in client.get("/queue", params={"media_type": "video"}).text


def test_the_item_page_shows_no_imagery_and_no_prompt_until_asked(case: tuple[TestClient, Path]) -> None:
    client, _ = case
    log_in(client, "ann")
    item = _item_id(client, "generated.png")
    page = client.get(f"/items/{item}")
    assert page.status_code == 200 and "<img" not in page.text
    assert "Provenance: ai (strong)" in page.text and "AUTOMATIC1111" in page.text
    assert "red square" not in page.text and "prompt" in page.text  # listed as hidden, never shown


def test_reveal_is_blurred_greyscale_first_then_unblurred_and_audited(case: tuple[TestClient, Path], db: str) -> None:
    client, _ = case
    log_in(client, "ann")
    item = _item_id(client, "photo.jpg")
    csrf = csrf_of(client.get(f"/items/{item}").text)
    assert client.post(f"/items/{item}/reveal", data={"stage": "blurred"}).status_code == 403
    not_yet = client.post(f"/items/{item}/reveal", data={"csrf_token": csrf, "stage": "clear"}).text
    assert "Reveal the blurred preview first" in not_yet and "<img" not in not_yet
    blurred = client.post(f"/items/{item}/reveal", data={"csrf_token": csrf, "stage": "blurred"})
    first = _preview(blurred.text)
    assert (first[..., 0] == first[..., 1]).all() and (first[..., 1] == first[..., 2]).all()
    assert "Remove blur for this item" in blurred.text
    clear = _preview(client.post(f"/items/{item}/reveal", data={"csrf_token": csrf, "stage": "clear"}).text)
    assert np.abs(np.diff(clear[..., 0], axis=1)).max() > np.abs(np.diff(first[..., 0], axis=1)).max()
    actions = [(entry["action"], entry["subject"], (entry["details"] or {}).get("stage"))
               for entry in Accounts(open_engine(db), actor="test").audit.entries(limit=4)]
    assert actions == [("item.reveal", str(item), "clear"), ("item.reveal", str(item), "blurred"),
                       ("request.refused", "/items/{item_id:rowid}/reveal", None), ("item.view", str(item), None)]  # the missing CSRF token


def test_a_video_reveals_its_contact_sheet(case: tuple[TestClient, Path]) -> None:
    client, _ = case
    log_in(client, "ann")
    item = _item_id(client, "clip.mp4")
    page = client.get(f"/items/{item}")
    assert "30 frames" in page.text  # every frame of 3 s at 10 fps (the default hashes every frame)
    sheet = _preview(client.post(f"/items/{item}/reveal", data={"csrf_token": csrf_of(page.text), "stage": "blurred"}).text)
    assert sheet.shape[1] == 4 * 240


def test_prompts_are_shown_only_when_asked_for_that_item_and_the_asking_is_audited(case: tuple[TestClient, Path], db: str) -> None:
    client, _ = case
    log_in(client, "ann")
    item = _item_id(client, "generated.png")
    page = client.get(f"/items/{item}").text
    assert "red square" not in page and "Show the hidden prompts" in page
    assert client.post(f"/items/{item}/prompts", data={"csrf_token": "forged"}).status_code == 403
    shown = client.post(f"/items/{item}/prompts", data={"csrf_token": csrf_of(page)}).text
    assert "red square" in shown and "Show the hidden prompts" not in shown
    assert "red square" not in client.get(f"/items/{item}").text
    newest = Accounts(open_engine(db), actor="test").audit.entries(limit=2)
    assert [(entry["action"], entry["subject"]) for entry in newest] == [("item.view", str(item)), ("item.reveal_prompts", str(item))]


def test_the_item_page_shows_authenticity_with_the_first_seen_date_of_a_matched_bank_entry(case: tuple[TestClient, Path], db: str) -> None:
    client, folder = case
    banks = BankStore(open_engine(db))
    banks.create("hotline-2015")
    banks.import_records("hotline-2015", [BankRecord({"sha256": hashlib.sha256((folder / "photo.jpg").read_bytes()).hexdigest()}, ref="h-17",
                                                     first_seen=date(2015, 4, 1))])
    log_in(client, "ann")
    page = client.get(f"/items/{_item_id(client, 'photo.jpg')}").text
    section = page[page.index('<section id="authenticity">'):]
    section = section[: section.index("</section>")]
    assert "first seen on 2015-04-01 by bank hotline-2015 (entry h-17)" in section
    assert "2015-04-01, bank hotline-2015 (before realistic image generators)" in section
    assert "software: libjpeg (IJG), quality" in section
