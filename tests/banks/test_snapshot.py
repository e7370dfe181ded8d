"""A saved copy of the PDQ index lets the next command start without reading every hash, and
is never trusted beyond what the database confirms."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from clearsight.banks.index import BRUTE_FORCE_BELOW
from clearsight.banks.matcher import Matcher
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.records import BankRecord
from tests.banks.test_formats import PDQ
from tests.banks.test_matching import near

BANK_SIZE = BRUTE_FORCE_BELOW + 1_000
"""Large enough for the index to have tables, which the snapshot keeps too."""


def spread(number: int) -> str:
    """A hash about 128 bits from every other one."""
    return hashlib.sha256(str(number).encode()).hexdigest()


def filled(db: str, count: int = BANK_SIZE) -> BankStore:
    store = BankStore(open_engine(db))
    store.create("big")
    store.import_records("big", [BankRecord({"pdq": spread(index)}) for index in range(count - 1)] + [BankRecord({"pdq": PDQ}, ref="p")])
    return store


def test_the_next_matcher_starts_from_the_snapshot_and_catches_up(tmp_path: Path) -> None:
    store = filled(str(tmp_path / "case.db"))
    snapshot = tmp_path / "cache" / "index.npz"
    first = Matcher(store, snapshot=snapshot, snapshot_min_rows=1_000)
    assert not first.restored and snapshot.is_file()
    store.import_records("big", [BankRecord({"pdq": near(PDQ, 100)}, ref="later")])
    store.remove_hashes("big", [PDQ], ["pdq"])
    second = Matcher(store, snapshot=snapshot, snapshot_min_rows=1_000)
    assert second.restored and second.index.tables is not None
    assert [match.ref for match in second.match({"pdq": near(PDQ, 103)}).matches] == ["later"]
    assert second.match({"pdq": PDQ}).matches == []
    assert len(second.match({"pdq": spread(5)}).matches) == 1


def test_a_snapshot_of_another_database_is_not_used(tmp_path: Path) -> None:
    snapshot = tmp_path / "index.npz"
    Matcher(filled(str(tmp_path / "one.db")), snapshot=snapshot, snapshot_min_rows=1_000)
    other = BankStore(open_engine(str(tmp_path / "other.db")))
    other.create("small")
    other.import_records("small", [BankRecord({"pdq": near(PDQ, 5)})])
    matcher = Matcher(other, snapshot=snapshot, snapshot_min_rows=1_000)
    assert not matcher.restored
    assert len(matcher.index) == 1


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really a zip", b"\x93NUMPY garbage"])
def test_an_unreadable_snapshot_is_ignored(tmp_path: Path, content: bytes) -> None:
    snapshot = tmp_path / "index.npz"
    snapshot.write_bytes(content)
    matcher = Matcher(filled(str(tmp_path / "case.db"), 10), snapshot=snapshot)
    assert not matcher.restored
    assert len(matcher.match({"pdq": PDQ}).matches) == 1
