"""Requests past what the app takes are refused plainly: bodies over the configured bound get 413
(declared or streamed), uploads keep their own larger bound, and ids too large for a database
integer are simply not found."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from clearsight.assess.accounts import Accounts
from clearsight.config import MiB, Settings, load_settings
from clearsight.errors import ClearsightError
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.web.app import create_app
from tests.media_factory import image_bytes
from tests.web_client import PASSWORD, csrf_of, log_in

LIMIT = 4096
PAST_64_BITS = str(2**64)


@pytest.fixture
def site(db: str) -> tuple[TestClient, dict[str, str]]:
    engine = open_engine(db)
    accounts = Accounts(engine, actor="test")
    accounts.add("ann", "analyst", PASSWORD)
    BankStore(engine).create("partner", source="test")
    token = accounts.add_token("platform", None)
    return TestClient(create_app(Settings(db=db, max_json_bytes=LIMIT)), follow_redirects=False), {"Authorization": f"Bearer {token}"}


def _lookup_body(size: int) -> bytes:
    """A well-formed batch lookup of about `size` bytes."""
    item = {"id": "x" * 200, "hashes": {"sha256": "0" * 64}}
    body = {"items": [item] * max(1, size // 300)}
    return json.dumps(body).encode()


def test_a_json_body_over_the_limit_is_refused_before_it_is_read(site: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = site
    small = _lookup_body(LIMIT // 2)
    assert client.post("/api/v1/lookup", content=small, headers=auth | {"content-type": "application/json"}).status_code == 200
    big = _lookup_body(4 * LIMIT)
    refused = client.post("/api/v1/lookup", content=big, headers=auth | {"content-type": "application/json"})
    assert refused.status_code == 413 and "limited to 4,096 bytes" in refused.json()["detail"]
    assert refused.headers["x-content-type-options"] == "nosniff"  # refusals carry the security headers too


def test_a_streamed_body_without_a_length_is_counted_as_it_arrives(site: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = site
    big = _lookup_body(4 * LIMIT)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 1000):
            yield big[start:start + 1000]

    refused = client.post("/api/v1/lookup", content=chunks(), headers=auth | {"content-type": "application/json"})
    assert refused.status_code == 413


def test_forms_are_bounded_too(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    form = client.get("/login")
    refused = client.post("/login", data={"name": "ann", "password": "p" * (2 * LIMIT), "csrf_token": csrf_of(form.text)})
    assert refused.status_code == 413


def test_uploads_keep_their_own_larger_limit(site: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = site
    picture = image_bytes("PNG", seed=3, size=(256, 256))
    assert len(picture) > LIMIT
    assert client.post("/h/hash", files={"photo": ("p.png", picture)}, headers=auth).status_code == 200
    assert client.post("/api/v1/files", files={"file": ("p.png", picture)}, headers=auth).status_code == 200


def test_the_limit_is_one_mebibyte_unless_set_in_the_environment() -> None:
    assert load_settings(env={}).max_json_bytes == MiB
    assert load_settings(env={"CLEARSIGHT_MAX_JSON_BYTES": "65_536"}).max_json_bytes == 65536
    with pytest.raises(ClearsightError):
        load_settings(env={"CLEARSIGHT_MAX_JSON_BYTES": "lots"})


def test_ids_past_64_bits_are_not_found(site: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = site
    csrf = log_in(client, "ann")
    for path in (f"/items/{PAST_64_BITS}", f"/reports/{PAST_64_BITS}"):
        assert client.get(path).status_code == 404, path
    for path in (f"/items/{PAST_64_BITS}/reveal", f"/items/{PAST_64_BITS}/grade", f"/assessments/{PAST_64_BITS}/review",
                 f"/reports/{PAST_64_BITS}/actions", f"/items/{PAST_64_BITS}/report"):
        assert client.post(path, data={"csrf_token": csrf}).status_code == 404, path
    assert client.get("/queue", params={"report": PAST_64_BITS, "page": PAST_64_BITS}).status_code == 200
    assert client.get("/api/v1/banks/partner/entries", params={"after": PAST_64_BITS}, headers=auth).status_code == 422
