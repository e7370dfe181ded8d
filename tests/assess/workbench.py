"""A small case for the assessment tests: scanned benign images, three accounts, helpers to grade."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from clearsight.assess.accounts import Accounts
from clearsight.config import Settings
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.records import BankRecord
from clearsight.web.app import create_app
from tests.in_process_scan import scan_here
from tests.media_factory import image_bytes
from tests.web_client import PASSWORD, csrf_of, log_in

CATEGORY_A = {"outcome": "criminal", "uk_legal_basis": "indecent_photo", "uk_category": "A", "age_band": "7-10", "sex": "girls",
              "child_count": "1", "production": "real"}
CATEGORY_C = CATEGORY_A | {"uk_category": "C"}


@dataclass
class Workbench:
    db: str
    folder: Path

    def client(self, name: str) -> tuple[TestClient, str]:
        """A client logged in as `name`, and its CSRF token."""
        client = TestClient(create_app(Settings(db=self.db)), follow_redirects=False)
        return client, log_in(client, name)

    def item_id(self, name: str) -> int:
        client, _ = self.client("ann")
        match = re.search(r'<a href="/items/(\d+)">\d+</a></td><td>\w+</td><td>[^<]*</td><td>\d+</td><td>[^<]*' + re.escape(name) + "<",
                          client.get("/queue", params={"queue": "all"}).text)
        assert match, name
        return int(match[1])

    def grade(self, client: TestClient, item_id: int, values: dict[str, str], **extra: str) -> str:
        csrf = csrf_of(client.get(f"/items/{item_id}").text)
        answer = client.post(f"/items/{item_id}/grade", data={"csrf_token": csrf, **values, **extra})
        assert answer.status_code == 303, answer.text
        return client.get(f"/items/{item_id}").text

    def assessment_id(self, page: str) -> int:
        match = re.search(r'action="/assessments/(\d+)/review"', page)
        assert match
        return int(match[1])

    def review(self, client: TestClient, item_id: int, assessment_id: int, decision: str, **extra: str) -> str:
        """The item page after the review, or the refusal."""
        csrf = csrf_of(client.get(f"/items/{item_id}").text)
        answer = client.post(f"/assessments/{assessment_id}/review", data={"csrf_token": csrf, "item_id": str(item_id), "decision": decision, **extra})
        return client.get(f"/items/{item_id}").text if answer.status_code == 303 else answer.text


def make_workbench(db: str, tmp_path: Path) -> Workbench:
    """photo.jpg and its exact copy, a distinct other.png, and known.png whose SHA-256 a bank lists as category B."""
    folder = tmp_path / "case"
    folder.mkdir()
    photo = image_bytes("JPEG", seed=4)
    (folder / "photo.jpg").write_bytes(photo)
    (folder / "photo_copy.jpg").write_bytes(photo)
    (folder / "other.png").write_bytes(image_bytes("PNG", seed=9))
    known = image_bytes("PNG", seed=21)
    (folder / "known.png").write_bytes(known)
    engine = open_engine(db)
    banks = BankStore(engine)
    banks.create("partner", source="test")
    banks.import_records("partner", [BankRecord({"sha256": hashlib.sha256(known).hexdigest()}, "B", "partner-7")])
    scan_here(folder, db)
    accounts = Accounts(engine, actor="test")
    for name, role in (("ann", "analyst"), ("bob", "analyst"), ("rita", "reviewer"), ("ada", "admin")):
        accounts.add(name, role, PASSWORD)
    return Workbench(db, folder)
