"""Matching against banks in the case database (SQLite and PostgreSQL): exact and PDQ hashes,
per-bank distances, quality, allowlists, and hashes added or removed while a matcher runs."""

from __future__ import annotations

import time

import pytest

from clearsight.banks.matcher import REFRESH_SECONDS, Matcher, MatchOptions
from clearsight.errors import ClearsightError
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.records import BankRecord, RowError
from tests.banks.test_formats import MD5, PDQ, SHA1, SHA256


def near(value: str, bits: int) -> str:
    """`value` with its lowest `bits` bits flipped."""
    return f"{int(value, 16) ^ ((1 << bits) - 1):064x}"


@pytest.fixture
def store(db: str) -> BankStore:
    return BankStore(open_engine(db))


def add(store: BankStore, bank: str, *records: BankRecord) -> None:
    summary = store.import_records(bank, records)
    assert not summary.errors


def test_exact_hashes_match_with_the_entry_or_bank_label(store: BankStore) -> None:
    store.create("known", classification="A")
    add(store, "known", BankRecord({"md5": MD5, "sha1": SHA1}, ref="r1"), BankRecord({"sha256": SHA256}, classification="B", ref="r2"))
    report = Matcher(store).match({"md5": MD5, "sha1": SHA1, "sha256": SHA256})
    assert sorted((m.signal, m.distance, m.classification, m.ref) for m in report.matches) == [
        ("md5", 0, "A", "r1"), ("sha1", 0, "A", "r1"), ("sha256", 0, "B", "r2")]


def test_each_bank_matches_pdq_within_its_own_distance_inclusive(store: BankStore) -> None:
    store.create("strict", pdq_distance=10)
    store.create("loose", pdq_distance=31)
    add(store, "strict", BankRecord({"pdq": PDQ}))
    add(store, "loose", BankRecord({"pdq": PDQ}))
    matcher = Matcher(store)
    assert [(m.bank, m.distance) for m in matcher.match({"pdq": near(PDQ, 10)}).matches] == [("loose", 10), ("strict", 10)]
    assert [m.bank for m in matcher.match({"pdq": near(PDQ, 11)}).matches] == ["loose"]
    assert [m.bank for m in matcher.match({"pdq": near(PDQ, 31)}).matches] == ["loose"]
    assert matcher.match({"pdq": near(PDQ, 32)}).matches == []
    assert [m.bank for m in Matcher(store, MatchOptions(distance=11)).match({"pdq": near(PDQ, 11)}).matches] == ["loose", "strict"]


def test_a_low_quality_pdq_is_not_matched_unless_asked(store: BankStore) -> None:
    store.create("known")
    add(store, "known", BankRecord({"pdq": PDQ}))
    report = Matcher(store).match({"pdq": PDQ}, {"pdq": 30})
    assert report.matches == []
    assert "quality 30 is below 50" in report.notes[0]
    assert len(Matcher(store, MatchOptions(min_quality=0)).match({"pdq": PDQ}, {"pdq": 30}).matches) == 1


def test_a_low_quality_bank_hash_is_not_matched_either(store: BankStore) -> None:
    store.create("known")
    add(store, "known", BankRecord({"pdq": PDQ}, quality=20))
    assert Matcher(store).match({"pdq": PDQ}, {"pdq": 90}).matches == []


def test_an_allowlist_hit_suppresses_the_other_banks_and_says_so(store: BankStore) -> None:
    store.create("known")
    store.create("false-positives", allowlist=True)
    add(store, "known", BankRecord({"md5": MD5}, ref="k"), BankRecord({"pdq": PDQ}))
    add(store, "false-positives", BankRecord({"pdq": PDQ}, ref="fp-1"))
    report = Matcher(store, MatchOptions(banks=("known",))).match({"md5": MD5, "pdq": near(PDQ, 4)})
    assert report.matches == []
    assert [(m.bank, m.ref) for m in report.allowlisted] == [("false-positives", "fp-1")]
    assert sorted(m.signal for m in report.suppressed) == ["md5", "pdq"]
    assert report.record()["suppressed_matches"][0]["bank"] == "known"


def test_disabled_banks_are_matched_only_when_named(store: BankStore) -> None:
    store.create("old")
    add(store, "old", BankRecord({"md5": MD5}))
    store.update("old", enabled=False)
    assert Matcher(store).match({"md5": MD5}).matches == []
    assert len(Matcher(store, MatchOptions(banks=("old",))).match({"md5": MD5}).matches) == 1


def test_an_unknown_bank_name_is_a_clear_error(store: BankStore) -> None:
    with pytest.raises(ClearsightError, match="no bank named nope"):
        Matcher(store, MatchOptions(banks=("nope",)))


def test_hashes_imported_elsewhere_are_matched_within_a_second_and_removed_ones_stop(store: BankStore, db: str) -> None:
    store.create("live")
    matcher = Matcher(store)
    assert matcher.match({"pdq": PDQ}).matches == []
    other = BankStore(open_engine(db))
    add(other, "live", *(BankRecord({"pdq": near(f"{index:064x}", 200)}) for index in range(999)), BankRecord({"pdq": PDQ}))
    time.sleep(REFRESH_SECONDS)
    assert [m.distance for m in matcher.match({"pdq": near(PDQ, 3)}).matches] == [3]
    assert other.remove_hashes("live", [PDQ], ["pdq"]) == 1
    time.sleep(REFRESH_SECONDS)
    assert matcher.match({"pdq": PDQ}).matches == []


def test_an_import_with_bad_rows_imports_the_rest_and_reports_each(store: BankStore) -> None:
    store.create("big")
    bad_rows = set(range(5_000, 100_000, 9_500))
    records: list[BankRecord | RowError] = [
        RowError(row, "bad") if row in bad_rows else BankRecord({"md5": f"{row:032x}"}) for row in range(100_000)
    ]
    summary = store.import_records("big", records)
    assert (summary.entries, summary.hashes, len(summary.errors)) == (99_990, 99_990, 10)
    assert store.get("big").hashes == {"md5": 99_990}


def test_importing_again_adds_only_what_is_new(store: BankStore) -> None:
    store.create("again")
    add(store, "again", BankRecord({"md5": MD5}), BankRecord({"sha1": SHA1}))
    summary = store.import_records("again", [BankRecord({"md5": MD5}), BankRecord({"sha1": SHA1, "pdq": PDQ}), BankRecord({"sha256": SHA256})])
    assert (summary.entries, summary.hashes, summary.duplicates) == (2, 2, 2)


def test_export_gives_back_entries_with_all_their_hashes_and_labels(store: BankStore) -> None:
    store.create("round")
    entry = BankRecord({"md5": MD5, "sha1": SHA1, "pdq": PDQ}, "vics:1", "7", 88, {"vics": {"Series": "s"}})
    add(store, "round", entry, BankRecord({"sha256": SHA256}))
    assert list(store.records("round")) == [entry, BankRecord({"sha256": SHA256})]


def test_deleting_a_bank_removes_its_hashes_from_matching(store: BankStore) -> None:
    store.create("gone")
    add(store, "gone", BankRecord({"md5": MD5, "pdq": PDQ}))
    matcher = Matcher(store)
    store.delete("gone")
    time.sleep(REFRESH_SECONDS)
    assert matcher.match({"md5": MD5, "pdq": PDQ}).matches == []
    assert store.banks() == []
