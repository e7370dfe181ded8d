"""HMA-compatible endpoints, hash-only uploads and replicas: an HMA client's call sequence gets
HMA's shapes, uploads leave no copy anywhere, and two API processes on one database see each
other's additions within a second."""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from clearsight.assess.accounts import Accounts
from clearsight.config import Settings
from clearsight.store.db import open_engine
from clearsight.web.app import create_app

PDQ = "f" * 16 + "0" * 48
NEAR_PDQ = "e" + "f" * 15 + "0" * 48


def _token(db: str, banks: list[str] | None = None, name: str = "platform") -> dict[str, str]:
    return {"Authorization": "Bearer " + Accounts(open_engine(db), actor="test").add_token(name, banks)}


def _noise_png(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (96, 128, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


def test_an_hma_client_sequence_gets_hma_1_1_shapes(db: str) -> None:
    client = TestClient(create_app(Settings(db=db), api_only=True))
    auth = _token(db)
    refused = client.post("/c/banks", json={"name": "TEST_BANK"})
    assert (refused.status_code, refused.json()) == (401, {"message": "a valid API token is needed"})
    created = client.post("/c/banks", json={"name": "TEST_BANK"}, headers=auth)
    assert (created.status_code, created.json()) == (201, {"name": "TEST_BANK", "matching_enabled_ratio": 1.0})
    assert client.post("/c/banks", json={"name": "TEST_BANK"}, headers=auth).status_code == 403
    assert client.post("/c/banks", json={"name": "lower_case"}, headers=auth).json() == {"message": "Bank names must be UPPER_WITH_UNDERSCORE"}
    assert client.get("/c/banks", headers=auth).json() == [{"name": "TEST_BANK", "matching_enabled_ratio": 1.0}]
    added = client.post("/c/bank/TEST_BANK/signal", json={"pdq": PDQ, "note": "seen twice"}, headers=auth).json()
    assert added == {"id": added["id"], "signals": {"pdq": PDQ}} and isinstance(added["id"], int)
    query = {"signal_type": "pdq", "signal": NEAR_PDQ}
    assert client.get("/m/lookup", params=query, headers=auth).json() == {"TEST_BANK": [{"bank_content_id": added["id"], "distance": "1"}]}
    assert client.get("/m/raw_lookup", params=query, headers=auth).json() == {"matches": [added["id"]]}
    assert client.get("/m/raw_lookup", params=query | {"include_distance": "true"}, headers=auth).json() == {
        "matches": [{"bank_content_id": added["id"], "distance": "1"}]}
    assert client.get("/m/lookup", params={"signal_type": "pdq", "signal": "0" * 64}, headers=auth).json() == {}
    assert client.get("/m/lookup", params={"signal_type": "tmk", "signal": "x"}, headers=auth).json() == {"message": "No such SignalType 'tmk'"}
    missing = client.get("/m/raw_lookup", params={"signal_type": "pdq"}, headers=auth)
    assert (missing.status_code, missing.json()) == (400, {"message": "signal is required"})
    assert client.get("/m/lookup", params=query, headers=auth).headers["x-content-type-options"] == "nosniff"
    content = client.get(f"/c/bank/TEST_BANK/content/{added['id']}", params={"include_signals": "true"}, headers=auth).json()
    assert content == {"id": added["id"], "disable_until_ts": 1, "original_media_uri": None, "bank": {"name": "TEST_BANK", "matching_enabled_ratio": 1.0},
                       "signals": {"pdq": PDQ}, "note": "seen twice"}

    upload = _noise_png(1)
    hashed = client.post("/h/hash", files={"photo": ("photo.png", upload, "image/png")}, headers=auth).json()
    assert list(hashed) == ["pdq"]
    digests = client.post("/h/hash", params={"types": "pdq,sha256"}, files={"photo": ("photo.png", upload, "image/png")}, headers=auth).json()
    assert digests["pdq"] == hashed["pdq"] and len(digests["sha256"]) == 64
    assert client.post("/h/hash", files={"file": ("photo.png", upload, "image/png")}, headers=auth).json() == {"message": "no such content_type: 'file'"}
    client.post("/c/bank/TEST_BANK/signal", json={"pdq": hashed["pdq"]}, headers=auth)
    found = client.post("/m/lookup", files={"photo": ("photo.png", upload, "image/png")}, headers=auth).json()
    assert [(bank, [row["distance"] for row in rows]) for bank, rows in found["pdq"].items()] == [("TEST_BANK", ["0"])]


def test_disabled_content_and_banks_drop_out_of_lookups_but_not_of_the_raw_lookup(db: str) -> None:
    client = TestClient(create_app(Settings(db=db), api_only=True))
    auth = _token(db)
    client.post("/c/banks", json={"name": "QUIET", "enabled_ratio": 0.0}, headers=auth)
    client.post("/c/banks", json={"name": "LOUD"}, headers=auth)
    quiet = client.post("/c/bank/QUIET/signal", json={"pdq": PDQ}, headers=auth).json()["id"]
    loud = client.post("/c/bank/LOUD/signal", json={"pdq": PDQ}, headers=auth).json()["id"]
    query = {"signal_type": "pdq", "signal": PDQ}
    assert list(client.get("/m/lookup", params=query, headers=auth).json()) == ["LOUD"]
    assert sorted(client.get("/m/lookup", params=query | {"bypass_coinflip": "true"}, headers=auth).json()) == ["LOUD", "QUIET"]
    assert list(client.get("/m/lookup", params=query | {"banks": "QUIET", "bypass_coinflip": "true"}, headers=auth).json()) == ["QUIET"]
    assert client.put(f"/c/bank/LOUD/content/{loud}", json={"disable_until_ts": 0}, headers=auth).status_code == 200
    assert client.get("/m/lookup", params=query, headers=auth).json() == {}
    assert client.get("/m/raw_lookup", params=query, headers=auth).json() == {"matches": [quiet, loud]}
    assert client.delete(f"/c/bank/LOUD/content/{loud}", headers=auth).json() == {"deleted": 1}
    assert client.get("/m/raw_lookup", params=query, headers=auth).json() == {"matches": [quiet]}


def test_a_token_scoped_to_a_bank_cannot_create_banks_or_touch_others(db: str) -> None:
    client = TestClient(create_app(Settings(db=db), api_only=True))
    admin = _token(db, None, "admin")
    for name in ("X", "Y"):
        client.post("/c/banks", json={"name": name}, headers=admin)
    client.post("/c/bank/Y/signal", json={"pdq": PDQ}, headers=admin)
    scoped = _token(db, ["X"], "only-x")
    assert client.post("/c/banks", json={"name": "Z"}, headers=scoped).status_code == 403
    assert client.delete("/c/bank/X", headers=scoped).status_code == 403
    assert client.post("/c/bank/Y/signal", json={"pdq": PDQ}, headers=scoped).status_code == 404
    assert client.get("/c/bank/Y", headers=scoped).json() == {"message": "bank 'Y' not found"}
    assert client.get("/c/banks", headers=scoped).json() == [{"name": "X", "matching_enabled_ratio": 1.0}]
    query = {"signal_type": "pdq", "signal": PDQ}
    assert client.get("/m/lookup", params=query, headers=scoped).json() == {}
    assert client.get("/m/lookup", params=query | {"banks": "X,Y"}, headers=scoped).json() == {}
    assert client.get("/m/raw_lookup", params=query, headers=scoped).json() == {"matches": []}


def test_uploads_are_hashed_in_memory_and_leave_no_copy_anywhere(db: str, tmp_path: Path) -> None:
    started = time.time() - 1
    client = TestClient(create_app(Settings(db=db), api_only=True))
    auth = _token(db)
    upload = _noise_png(7)
    for answer in (client.post("/api/v1/files", content=upload, headers=auth),
                   client.post("/api/v1/files", files={"file": ("big.png", upload + b"\0" * (3 * 1024 * 1024), "image/png")}, headers=auth),
                   client.post("/api/v1/files/provenance", content=upload, headers=auth),
                   client.post("/m/lookup", files={"photo": ("p.png", upload, "image/png")}, headers=auth)):
        assert answer.status_code == 200, answer.text
    assert client.post("/api/v1/files", content=upload, headers=auth).json()["items"][0]["hashes"]["pdq"]
    marker = upload[len(upload) // 2 : len(upload) // 2 + 64]
    places = {tempfile.gettempdir(), str(tmp_path), os.getcwd()}
    for place in places:
        for path in _files_written_since(Path(place), started):
            try:
                if path.stat().st_size < 256 * 1024 * 1024:
                    assert marker not in path.read_bytes(), f"{path} holds the upload"
            except OSError:
                continue


def _files_written_since(top: Path, started: float) -> Iterator[Path]:
    """Every regular file under `top` changed after `started`, walked with an explicit stack:
    a shared temporary folder may hold trees deeper than os.walk's recursion can follow."""
    pending = [top]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False) and entry.stat().st_mtime >= started:
                    yield Path(entry.path)
            except OSError:
                continue


def test_uploads_over_the_limit_are_refused(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from clearsight.web import uploads
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    client = TestClient(create_app(Settings(db=db), api_only=True))
    answer = client.post("/api/v1/files", content=b"x" * 5000, headers=_token(db))
    assert answer.status_code == 413 and "limited to 1,000 bytes" in answer.text


def test_two_replicas_on_one_database_see_each_others_additions_within_a_second(db: str) -> None:
    first = TestClient(create_app(Settings(db=db), api_only=True))
    second = TestClient(create_app(Settings(db=db), api_only=True))
    auth = _token(db)
    first.post("/c/banks", json={"name": "SHARED"}, headers=auth)
    query = {"signal_type": "pdq", "signal": NEAR_PDQ}
    assert second.get("/m/lookup", params=query, headers=auth).json() == {}  # its index is built now
    added_at = time.monotonic()
    first.post("/c/bank/SHARED/signal", json={"pdq": PDQ}, headers=auth)
    while list(second.get("/m/lookup", params=query, headers=auth).json()) != ["SHARED"]:
        assert time.monotonic() - added_at < 1.0, "the second replica did not see the addition in time"
        time.sleep(0.05)


def test_status_says_whether_the_index_is_loaded_and_current_and_needs_no_token(db: str) -> None:
    client = TestClient(create_app(Settings(db=db), api_only=True))
    auth = _token(db)
    not_loaded = client.get("/status")
    assert (not_loaded.status_code, not_loaded.text, not_loaded.headers["content-type"].split(";")[0]) == (503, "INDEX-NOT-LOADED", "text/html")
    assert (client.get("/status/live").status_code, client.get("/status/live").text) == (200, "I-AM-ALIVE")
    client.get("/m/lookup", params={"signal_type": "pdq", "signal": PDQ}, headers=auth)  # builds the index
    assert (client.get("/status").status_code, client.get("/status").text) == (200, "I-AM-ALIVE")
    matcher = client.app.state.api_matcher._matcher  # type: ignore[attr-defined]
    matcher.refreshed_at -= 70  # as if the store had been unreachable for over a minute
    assert (client.get("/status").status_code, client.get("/status").text) == (503, "INDEX-STALE")
    client.get("/m/lookup", params={"signal_type": "pdq", "signal": PDQ}, headers=auth)
    assert client.get("/m/index/status", headers=auth).json()["pdq"]["present"] is True
