"""Refused requests are audited under the identity they carried, and a flood of them is written
once a minute with its count."""

from __future__ import annotations

from fastapi.testclient import TestClient

from clearsight.assess.accounts import Accounts
from clearsight.assess.audit import AuditLog
from clearsight.config import Settings
from clearsight.store.db import open_engine
from clearsight.web.app import create_app
from tests.web_client import PASSWORD, log_in


def _refusals(db: str) -> list[dict[str, object]]:
    return [entry for entry in AuditLog(open_engine(db)).entries() if entry["action"] == "request.refused"]


def test_a_role_refusal_and_a_bad_token_are_audited_a_flood_once(db: str) -> None:
    accounts = Accounts(open_engine(db), actor="test")
    accounts.add("ann", "analyst", PASSWORD)
    token = accounts.add_token("platform", ["only-this"])
    client = TestClient(create_app(Settings(db=db)), follow_redirects=False)
    log_in(client, "ann")
    assert client.get("/audit").status_code == 403  # reviewers and admins only
    for _ in range(5):
        assert client.post("/api/v1/lookup", json={"items": []}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/c/banks", json={"name": "new"}, headers={"Authorization": f"Bearer {token}"}).status_code == 403
    refused = {(entry["actor"], entry["subject"]): entry["details"] for entry in _refusals(db)}
    assert set(refused) == {("ann", "/audit"), ("anonymous", "/api/v1/lookup"), ("token:platform", "/c/banks")}
    assert refused[("ann", "/audit")]["reason"] == "your role may not do this"  # type: ignore[index]
    assert len([entry for entry in _refusals(db) if entry["subject"] == "/api/v1/lookup"]) == 1
    assert "?" not in str(refused)
