"""Four-eyes holds on every path: grades imported in the app wait for a second person, a dispute
is decided by a third, and an API token cannot grade items or silence matches by adding hashes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from clearsight.assess.accounts import Accounts
from clearsight.assess.audit import AuditLog
from clearsight.assess.grading import Grading
from clearsight.config import Settings
from clearsight.store.db import open_engine
from clearsight.store.grades import assessments_t, items_t
from clearsight.web.app import create_app
from tests.assess.workbench import CATEGORY_A, CATEGORY_C, Workbench, make_workbench
from tests.cli_runner import clearsight


@pytest.fixture
def bench(db: str, tmp_path: Path) -> Workbench:
    return make_workbench(db, tmp_path)


def _record_of(sha256: str) -> str:
    """A migrated report whose one graded item has these bytes' SHA-256."""
    item = {"item_id": "i1", "media_type": "image", "assessed_at": "2025-06-01T12:00:00Z", "outcome": "criminal", "uk_legal_basis": "indecent_photo",
            "uk_category": "A", "age_band": "7-10", "sex": "girls", "production": "real", "sha256": sha256}
    report = {"report_id": "r1", "received_at": "2025-05-01T09:00:00Z", "source": "public", "url": "https://host.example/a", "web_layer": "clear",
              "site_type": "image_host", "hosting_country": "NL", "commercial": "none", "items": [item]}
    return json.dumps(report) + "\n"


def _grading(bench: Workbench) -> Grading:
    engine = open_engine(bench.db)
    return Grading(engine, AuditLog(engine))


def test_grades_imported_in_the_app_wait_for_a_second_person_and_grade_no_duplicate(bench: Workbench) -> None:
    photo = bench.item_id("photo.jpg")
    sha256 = hashlib.sha256((bench.folder / "photo.jpg").read_bytes()).hexdigest()
    ann, csrf = bench.client("ann")
    page = ann.post("/reports/import", data={"csrf_token": csrf, "format": "auto"}, files={"file": ("records.jsonl", _record_of(sha256).encode())}).text
    assert "Imported 1 report(s)" in page
    ann.get("/queue", params={"queue": "all"})  # matching and automatic grading run when a queue opens
    grading = _grading(bench)
    assert grading.current(photo) is None
    imported = [entry for entry in AuditLog(open_engine(bench.db)).entries() if entry["action"] == "report.import"]
    assert imported and imported[0]["actor"] == "ann"
    engine = open_engine(bench.db)
    with engine.connect() as conn:
        imported = select(assessments_t.c.review_state).join(items_t, items_t.c.id == assessments_t.c.item_id).where(items_t.c.path.startswith("record:"))
        states = set(conn.execute(imported).scalars())
    assert states == {"pending"}


def test_an_administrators_migration_on_the_command_line_stays_confirmed_and_audits_each_grade(bench: Workbench) -> None:
    photo = bench.item_id("photo.jpg")
    records = bench.folder.parent / "records.jsonl"
    records.write_text(_record_of(hashlib.sha256((bench.folder / "photo.jpg").read_bytes()).hexdigest()))
    clearsight("records", "import", str(records), "--db", bench.db)
    entries = AuditLog(open_engine(bench.db)).entries()
    assert [entry["details"]["review_state"] for entry in entries if entry["action"] == "grade.import"] == ["confirmed"]
    bench.client("ann")[0].get("/queue", params={"queue": "all"})
    current = _grading(bench).current(photo)
    assert current is not None and current["review_state"] == "confirmed" and "exact duplicate" in current["automatic"]


def test_a_reviewer_who_disputed_a_grade_cannot_decide_the_dispute(bench: Workbench) -> None:
    ann, _ = bench.client("ann")
    rita, _ = bench.client("rita")
    ada, _ = bench.client("ada")
    other = bench.item_id("other.png")
    bench.grade(ann, other, CATEGORY_C)
    assessment = bench.assessment_id(rita.get(f"/items/{other}").text)
    disputed = bench.review(rita, other, assessment, "dispute", note="category looks wrong")
    assert "— <strong>disputed</strong>" in disputed and "Reviewer's decision" not in disputed
    assert "decided by a third person" in bench.review(rita, other, assessment, "overrule", note="mine", **CATEGORY_A)
    assert "Reviewer's decision" in ada.get(f"/items/{other}").text
    final = bench.review(ada, other, assessment, "uphold", note="C stands")
    assert "— <strong>confirmed</strong>" in final and "uphold by ada" in final


def _api(bench: Workbench, token_name: str) -> tuple[TestClient, dict[str, str]]:
    token = Accounts(open_engine(bench.db), actor="test").add_token(token_name, None)
    return TestClient(create_app(Settings(db=bench.db), api_only=True)), {"Authorization": f"Bearer {token}"}


def test_hashes_an_api_token_adds_grade_nothing_and_cannot_join_an_allowlist(bench: Workbench) -> None:
    other = bench.item_id("other.png")
    md5 = hashlib.md5((bench.folder / "other.png").read_bytes()).hexdigest()
    clearsight("bank", "create", "graded", "--classification", "A", "--db", bench.db)
    clearsight("bank", "create", "benign", "--allowlist", "--db", bench.db)
    api, auth = _api(bench, "platform")
    assert api.post("/c/bank/graded/signal", json={"md5": md5}, headers=auth).status_code == 200
    refused = api.post("/c/bank/benign/signal", json={"md5": md5}, headers=auth)
    assert refused.status_code == 403 and "does not trust token 'platform'" in refused.text
    ann, _ = bench.client("ann")
    ann.get("/queue", params={"queue": "all"})
    assert _grading(bench).current(other) is None
    assert "unvetted" in ann.get(f"/items/{other}").text

    clearsight("bank", "set", "benign", "--trust-token", "platform", "--db", bench.db)
    assert api.post("/c/bank/benign/signal", json={"md5": md5}, headers=auth).status_code == 200
    assert json.loads(clearsight("bank", "show", "benign", "--db", bench.db, "--format", "json").stdout)[0]["trusted_tokens"] == ["platform"]


def test_a_trusted_tokens_additions_keep_the_banks_label(bench: Workbench) -> None:
    other = bench.item_id("other.png")
    md5 = hashlib.md5((bench.folder / "other.png").read_bytes()).hexdigest()
    clearsight("bank", "create", "graded", "--classification", "A", "--db", bench.db)
    clearsight("bank", "set", "graded", "--trust-token", "hotline", "--db", bench.db)
    api, auth = _api(bench, "hotline")
    assert api.post("/c/bank/graded/signal", json={"md5": md5}, headers=auth).status_code == 200
    bench.client("ann")[0].get("/queue", params={"queue": "all"})
    current = _grading(bench).current(other)
    assert current is not None and "md5 match in bank graded" in current["automatic"]

