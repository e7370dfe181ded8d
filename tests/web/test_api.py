"""The machine API: bearer tokens only, each token sees only its banks, floods get 429, batch
lookups report matches with their distance, and `--api` serves the API alone."""

from __future__ import annotations

import hashlib
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from clearsight.assess.accounts import Accounts
from clearsight.config import Settings
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.records import BankRecord
from clearsight.web.app import create_app
from tests.cli_runner import COMMAND
from tests.loopback import free_port

PDQ = "f" * 16 + "0" * 48
NEAR_PDQ = "e" + "f" * 15 + "0" * 48  # one bit away
SHA = hashlib.sha256(b"known").hexdigest()


@pytest.fixture
def api(db: str) -> tuple[TestClient, dict[str, str]]:
    engine = open_engine(db)
    banks = BankStore(engine)
    banks.create("partner_x", source="test", classification="A")
    banks.create("partner_y", source="test", classification="B")
    banks.import_records("partner_x", [BankRecord({"sha256": SHA}, ref="x-1"), BankRecord({"pdq": PDQ}, ref="x-2")])
    banks.import_records("partner_y", [BankRecord({"sha256": SHA}, ref="y-1")])
    accounts = Accounts(engine, actor="test")
    tokens = {"x": accounts.add_token("only-x", ["partner_x"]), "all": accounts.add_token("everything", None)}
    return TestClient(create_app(Settings(db=db), api_only=True)), tokens


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_lookups_need_a_token_and_see_only_the_tokens_banks(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    body = {"items": [{"id": "upload-1", "hashes": {"sha256": SHA.upper()}}, {"id": "upload-2", "hashes": {"pdq": NEAR_PDQ}}]}
    assert client.post("/api/v1/lookup", json=body).status_code == 401
    everything = client.post("/api/v1/lookup", json=body, headers=_auth(tokens["all"])).json()["results"]
    assert sorted(match["bank"] for match in everything[0]["matches"]) == ["partner_x", "partner_y"]
    assert [(match["ref"], match["distance"]) for match in everything[1]["matches"]] == [("x-2", 1)]
    scoped = client.post("/api/v1/lookup", json=body, headers=_auth(tokens["x"])).json()["results"]
    assert [match["bank"] for match in scoped[0]["matches"]] == ["partner_x"] and scoped[0]["id"] == "upload-1"
    assert [bank["name"] for bank in client.get("/api/v1/banks", headers=_auth(tokens["x"])).json()["banks"]] == ["partner_x"]
    assert client.get("/api/v1/banks/partner_y/entries", headers=_auth(tokens["x"])).status_code == 404
    page = client.get("/api/v1/banks/partner_x/entries", params={"limit": 1}, headers=_auth(tokens["x"])).json()
    rest = client.get("/api/v1/banks/partner_x/entries", params={"after": page["next_after"]}, headers=_auth(tokens["x"])).json()
    assert [entry["ref"] for entry in page["entries"] + rest["entries"]] == ["x-1", "x-2"] and page["entries"][0]["hashes"] == {"sha256": SHA}


def test_bad_hashes_are_refused_with_the_item_named(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    answer = client.post("/api/v1/lookup", json={"items": [{"hashes": {"sha256": SHA}}, {"hashes": {"md5": "zz"}}]}, headers=_auth(tokens["all"]))
    assert answer.status_code == 422 and answer.json()["detail"].startswith("items[1]: md5 must be 32 hex digits")


def test_a_flood_gets_429_with_retry_after(db: str) -> None:
    token = Accounts(open_engine(db), actor="test").add_token("busy", None)
    client = TestClient(create_app(Settings(db=db, api_rate=2), api_only=True))
    answers = [client.get("/api/v1/whoami", headers=_auth(token)) for _ in range(10)]
    refused = [answer for answer in answers if answer.status_code == 429]
    assert answers[0].status_code == 200 and len(refused) >= 5 and int(refused[0].headers["Retry-After"]) >= 1


def test_the_api_alone_has_no_pages_and_publishes_its_spec(api: tuple[TestClient, dict[str, str]], tmp_path: Path) -> None:
    client, tokens = api
    assert client.get("/").status_code == 404 and client.get("/login").status_code == 404
    assert client.get("/api/v1/status/live").json() == {"status": "ok"}
    assert client.get("/api/v1/status", headers=_auth(tokens["x"])).json()["banks"] == 1
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/lookup", "/api/v1/banks", "/api/v1/banks/{name}/entries", "/api/v1/status", "/api/v1/status/live"} <= set(paths)


def test_the_api_server_builds_its_index_as_it_starts_not_on_the_first_lookup(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    with client:  # runs the app's start-up, as `clearsight serve --api` does
        started = time.monotonic()
        while client.get("/api/v1/status", headers=_auth(tokens["all"])).json()["pdq_index_size"] != 1:
            assert time.monotonic() - started < 10, "the index was not built at start"
            time.sleep(0.05)


def test_serve_api_with_two_worker_processes_answers_lookups_on_one_port(api: tuple[TestClient, dict[str, str]], db: str) -> None:
    _, tokens = api
    port = free_port()
    server = subprocess.Popen([*COMMAND, "serve", "--api", "--db", db, "--port", str(port), "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        started = time.monotonic()
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/m/lookup", params={"signal_type": "pdq", "signal": NEAR_PDQ},
                                   headers=_auth(tokens["all"]), timeout=10)
                break
            except httpx.TransportError:
                assert time.monotonic() - started < 60, "the server did not start"
                time.sleep(0.2)
        assert [(bank, [row["distance"] for row in rows]) for bank, rows in answer.json().items()] == [("partner_x", ["1"])]
        assert httpx.get(f"http://127.0.0.1:{port}/login", timeout=10).status_code == 404  # the API alone
    finally:
        server.terminate()
        server.wait(20)
