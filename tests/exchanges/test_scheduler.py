"""`clearsight serve` fetches due exchanges on their schedule: one fetcher per exchange, even with
two server processes on the same database."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

from clearsight.exchanges import manage
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.exchanges import ExchangeStore
from tests.cli_runner import COMMAND
from tests.loopback import free_port

MD5 = "0cc175b9c0f1b6a831c399e269772661"


def test_serve_fetches_a_due_exchange_once_across_two_processes(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    listing = tmp_path / "list.csv"
    listing.write_text(f"md5,ref\n{MD5},a\n")
    store = ExchangeStore(open_engine(db))
    manage.create(store, "LIST", "file", {"location": str(listing)})
    port = free_port()
    server = subprocess.Popen([*COMMAND, "serve", "--api", "--db", db, "--port", str(port), "--workers", "2"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while store.get("LIST").last_fetch_complete_ts is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/status/live", timeout=5).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    row = store.get("LIST")
    assert row.last_fetch_succeeded is True and row.fetched_items == 1, "fetched once, by one of the two processes"
    assert [record.ref for record in BankStore(open_engine(db)).records("LIST")] == ["a"]
