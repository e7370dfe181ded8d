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


def test_an_hma_client_sequence_gets_hmas_shapes(db: str) -> None:
    client = TestClient(create_app(Settings(db=db), api_only=True))
    auth = _token(db)
    assert client.post("/c/banks", json={"name": "TEST_BANK"}).status_code == 401
    created = client.post("/c/banks", json={"name": "TEST_BANK"}, headers=auth)
    assert (created.status_code, created.json()) == (201, {"name": "TEST_BANK", "matching_enabled_ratio": 1.0})
    assert client.post("/c/banks", json={"name": "TEST_BANK"}, headers=auth).status_code == 403
    assert client.get("/c/banks", headers=auth).json() == [{"name": "TEST_BANK", "matching_enabled_ratio": 1.0}]
    added = client.post("/c/bank/TEST_BANK/signal", json={"pdq": PDQ}, headers=auth).json()
    assert added == {"id": added["id"], "signals": {"pdq": PDQ}} and isinstance(added["id"], int)
    query = {"signal_type": "pdq", "signal": NEAR_PDQ}
    assert client.get("/m/lookup", params=query, headers=auth).json() == ["TEST_BANK"]
    assert client.get("/m/lookup", params=query | {"include_distance": "true"}, headers=auth).json() == [{"bank": "TEST_BANK", "distance": 1}]
    assert client.get("/m/raw_lookup", params=query, headers=auth).json() == {"matches": [added["id"]]}
    assert client.get("/m/raw_lookup", params=query | {"include_distance": "true"}, headers=auth).json() == {
        "matches": [{"content_id": added["id"], "distance": "1"}]}
    assert client.get("/m/lookup", params={"signal_type": "pdq", "signal": "0" * 64}, headers=auth).json() == []
    assert client.get("/m/lookup", params={"signal_type": "tmk", "signal": "x"}, headers=auth).status_code == 400
    missing = client.get("/m/raw_lookup", params={"signal_type": "pdq"}, headers=auth)
    assert missing.status_code == 400 and missing.json() == {"detail": "missing query parameter: signal"}
    assert client.get("/m/lookup", params=query).status_code == 401
    assert client.get("/m/lookup", params=query, headers=auth).headers["x-content-type-options"] == "nosniff"

    upload = _noise_png(1)
    hashed = client.post("/h/hash", files={"file": ("photo.png", upload, "image/png")}, headers=auth).json()
    assert set(hashed) == {"md5", "sha1", "sha256", "pdq"}
    client.post("/c/bank/TEST_BANK/signal", json={"sha256": hashed["sha256"]}, headers=auth)
    found = client.post("/m/lookup", files={"file": ("photo.png", upload, "image/png")}, headers=auth).json()
    assert found["sha256"] == ["TEST_BANK"] and found["md5"] == []


def test_a_token_scoped_to_a_bank_cannot_create_banks_or_touch_others(db: str) -> None:
    client = TestClient(create_app(Settings(db=db), api_only=True))
    admin = _token(db, None, "admin")
    for name in ("X", "Y"):
        client.post("/c/banks", json={"name": name}, headers=admin)
    client.post("/c/bank/Y/signal", json={"pdq": PDQ}, headers=admin)
    scoped = _token(db, ["X"], "only-x")
    assert client.post("/c/banks", json={"name": "Z"}, headers=scoped).status_code == 403
    assert client.post("/c/bank/Y/signal", json={"pdq": PDQ}, headers=scoped).status_code == 404
    assert client.get("/c/banks", headers=scoped).json() == [{"name": "X", "matching_enabled_ratio": 1.0}]
    assert client.get("/m/lookup", params={"signal_type": "pdq", "signal": PDQ}, headers=scoped).json() == []


def test_uploads_are_hashed_in_memory_and_leave_no_copy_anywhere(db: str, tmp_path: Path) -> None:
    started = time.time() - 1
    client = TestClient(create_app(Settings(db=db), api_only=True))
    auth = _token(db)
    upload = _noise_png(7)
    for answer in (client.post("/api/v1/files", content=upload, headers=auth),
                   client.post("/api/v1/files", files={"file": ("big.png", upload + b"\0" * (3 * 1024 * 1024), "image/png")}, headers=auth),
                   client.post("/api/v1/files/provenance", content=upload, headers=auth),
                   client.post("/m/lookup", files={"file": ("p.png", upload, "image/png")}, headers=auth)):
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
    assert second.get("/m/lookup", params=query, headers=auth).json() == []  # its index is built now
    added_at = time.monotonic()
    first.post("/c/bank/SHARED/signal", json={"pdq": PDQ}, headers=auth)
    while second.get("/m/lookup", params=query, headers=auth).json() != ["SHARED"]:
        assert time.monotonic() - added_at < 1.0, "the second replica did not see the addition in time"
        time.sleep(0.05)
