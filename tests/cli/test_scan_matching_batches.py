"""A scan matches its items against the banks a committed batch at a time: one exact lookup in
the store for the whole batch however many items it holds, each item still getting its own
matches. (At a million bank rows, one lookup per item was what slowed a PostgreSQL scan.)"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from clearsight.banks.matcher import Matcher
from clearsight.cli.app import RecordFormat
from clearsight.cli.scan import run_scan
from clearsight.config import Settings
from clearsight.pipeline import driver
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.records import BankRecord
from tests.cli_runner import records
from tests.in_process_scan import InProcess
from tests.media_factory import image_bytes


def test_a_scan_asks_the_store_for_exact_matches_once_per_batch_not_once_per_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    for seed in range(12):
        (folder / f"{seed:02}.png").write_bytes(image_bytes("PNG", seed))
    settings = Settings(db=str(tmp_path / "case.db"))
    store = BankStore(open_engine(settings.db))
    store.create("known")
    store.import_records("known", [BankRecord({"sha256": hashlib.sha256((folder / "03.png").read_bytes()).hexdigest()}, "A", "ref-3")])
    lookups: list[int] = []
    exact = BankStore.exact

    def counted(self: BankStore, pairs: list[tuple[str, str]], bank_ids: list[int]) -> object:
        lookups.append(len(pairs))
        return exact(self, pairs, bank_ids)

    monkeypatch.setattr(BankStore, "exact", counted)
    monkeypatch.setattr(driver, "COMMIT_EVERY_SECONDS", 60.0)  # one batch: the 12 items
    out = io.StringIO()
    run_scan([str(folder)], settings, None, out, RecordFormat.jsonl, Matcher(store), executor=InProcess())
    scanned = records(out.getvalue())
    assert len(scanned) == 12
    assert {Path(record["path"]).name for record in scanned if record["matches"]} == {"03.png"}
    assert len(lookups) == 1 and lookups[0] >= 12 * 3  # MD5, SHA-1 and SHA-256 of every item in one query
