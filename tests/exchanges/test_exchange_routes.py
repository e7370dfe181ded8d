"""HMA's exchange routes beyond HMA's own tests: a token may configure a `file` exchange only at a
URL (fetched from operator-allowed hosts), never have the server read its local files."""

from __future__ import annotations

from tests.web.hma_server import HmaClient, hma_fixture  # noqa: F401 - the fixture `hma`


def test_a_file_exchange_through_the_api_takes_a_url_not_a_local_path(hma: HmaClient) -> None:
    refused = hma.post("/c/exchanges", json={"api": "file", "bank": "LOCAL_FILE", "api_json": {"location": "/etc/passwd"}})
    assert refused.status_code == 400 and "URL" in refused.json["message"]
    assert hma.get("/c/exchange/LOCAL_FILE").status_code == 404
    made = hma.post("/c/exchanges", json={"api": "file", "bank": "REMOTE_FILE", "api_json": {"location": "https://lists.example/known.csv"}})
    assert made.status_code == 201
    shown = hma.get("/c/exchange/REMOTE_FILE").json
    assert (shown["api"], shown["location"], shown["enabled"]) == ("file", "https://lists.example/known.csv", True)
    disabled = hma.put("/c/exchange/REMOTE_FILE", json={"enabled": False})
    assert disabled.status_code == 200 and disabled.json["enabled"] is False
    assert hma.get("/c/exchanges").json == ["REMOTE_FILE"]
