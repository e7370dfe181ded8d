"""Uploads are decoded in worker processes the API can replace: an upload past its time budget
is that upload's error, and hash lookups are answered at full speed while it runs."""

from __future__ import annotations

import io
import threading
import time
from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image

from clearsight.assess.accounts import Accounts
from clearsight.config import Limits, Settings
from clearsight.store.db import open_engine
from clearsight.web.app import create_app


def _slow_png() -> bytes:
    """A 10,000 x 10,000 PNG of one colour: a few hundred KB that take seconds to decode."""
    buffer = io.BytesIO()
    Image.new("RGB", (10_000, 10_000), (200, 180, 20)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def test_an_upload_past_its_budget_is_its_error_while_lookups_go_on(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    token = Accounts(open_engine(db), actor="test").add_token("platform", None)
    auth = {"Authorization": f"Bearer {token}"}
    settings = replace(Settings(db=db), limits=replace(Limits(), max_item_seconds=1, item_seconds_per_mib=0))
    client = TestClient(create_app(settings, api_only=True))
    with client:
        slow, answers = _slow_png(), {}
        upload = threading.Thread(target=lambda: answers.update(upload=client.post("/api/v1/files", content=slow, headers=auth)))
        upload.start()
        time.sleep(0.5)
        latencies = []
        while upload.is_alive():
            started = time.monotonic()
            assert client.get("/m/lookup", params={"signal_type": "md5", "signal": "0" * 32}, headers=auth).status_code == 200
            latencies.append(time.monotonic() - started)
            time.sleep(0.05)
        upload.join()
    item = answers["upload"].json()["items"][0]
    assert "took longer than its 1 s budget" in " ".join(item["errors"])
    assert latencies and max(latencies) < 0.5, latencies
