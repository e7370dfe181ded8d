"""Hash-list hygiene: an entry whose match rate spikes past the threshold per hour is set aside
for review (its hits listed as quarantined, not acted on) until an analyst releases it; scans,
which never quarantine, keep matching it."""

from __future__ import annotations

import json

from clearsight.banks.matcher import Matcher, MatchOptions
from clearsight.banks.spikes import SpikeCounter
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.records import BankRecord
from tests.cli_runner import clearsight

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def _bank(db: str) -> BankStore:
    store = BankStore(open_engine(db))
    store.create("LIST")
    store.import_records("LIST", [BankRecord({"pdq": PDQ}, ref="meme-17")])
    return store


def _hits(matcher: Matcher) -> tuple[int, int]:
    report = matcher.match({"pdq": PDQ}, {"pdq": 100})
    return len(report.matches), len(report.quarantined)


def test_an_entry_past_the_threshold_is_quarantined_listed_and_released(db: str) -> None:
    store = _bank(db)
    api = Matcher(store, MatchOptions(quarantine_per_hour=3))
    assert [_hits(api) for _ in range(3)] == [(1, 0)] * 3
    assert _hits(api) == (0, 1), "the fourth match in the hour trips it"
    assert "quarantined_matches" in api.match({"pdq": PDQ}, {"pdq": 100}).record()
    assert _hits(Matcher(store, MatchOptions(quarantine_per_hour=3))) == (0, 1), "another process sees it on its refresh"
    assert _hits(Matcher(store)) == (0, 1), "a quarantined entry matches nothing until released"
    [entry] = json.loads(clearsight("bank", "quarantine", "--db", db, "--format", "json").stdout)
    assert (entry["bank"], entry["ref"], entry["matches_in_hour"]) == ("LIST", "meme-17", 4)
    clearsight("bank", "release", str(entry["entry_id"]), "--db", db)
    assert _hits(Matcher(store)) == (1, 0)
    assert json.loads(clearsight("bank", "quarantine", "--db", db, "--format", "json").stdout) == []


def test_without_a_threshold_nothing_is_quarantined(db: str) -> None:
    scan = Matcher(_bank(db))
    assert {_hits(scan) for _ in range(50)} == {(1, 0)}


def test_the_count_starts_again_each_hour() -> None:
    counter = SpikeCounter(per_hour=2)
    assert counter.note([7, 7], now=0) == {} and counter.note([7], now=10) == {7: 3}
    assert counter.note([7, 7], now=3600) == {} and counter.note([7], now=3601) == {7: 3}
