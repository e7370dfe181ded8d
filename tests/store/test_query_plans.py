"""The hot lookups use their indexes on both databases, whatever the bank's size: checked on the
plans the databases give for the statements as Clearsight sends them (bound parameters)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import text

from clearsight.store.banks import QUARANTINED_QUERY, BankStore, exact_query, index_load_query
from clearsight.store.db import open_engine
from clearsight.store.records import BankRecord

PAIRS = [("md5", "0" * 32), ("sha1", "1" * 40), ("sha256", "2" * 64), ("video_md5", "0" * 32), ("md5", "3" * 32)]


@pytest.fixture
def store(db: str) -> BankStore:
    """A bank of 5,000 entries of three hashes each, with the statistics a database in use has."""
    store = BankStore(open_engine(db))
    store.create("one")
    rng = random.Random(7)
    store.import_records("one", (BankRecord({"md5": rng.randbytes(16).hex(), "sha1": rng.randbytes(20).hex(), "sha256": rng.randbytes(32).hex()})
                                 for _ in range(5000)))
    with store.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return store


def plan(store: BankStore, query: Any) -> str:
    """The database's plan for `query` with its parameters bound, one line per step."""
    compiled = query.compile(store.engine, compile_kwargs={"render_postcompile": True})
    with store.engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        if conn.dialect.name == "sqlite":
            params = [compiled.params[name] for name in compiled.positiontup or ()]
            return " | ".join(str(row[3]) for row in driver.execute("EXPLAIN QUERY PLAN " + str(compiled), params))
        return " | ".join(row[0] for row in driver.execute("EXPLAIN " + str(compiled), compiled.params))


def test_exact_lookups_search_the_signal_value_index_and_never_scan_the_hashes(store: BankStore) -> None:
    found = plan(store, exact_query(PAIRS))
    assert "uq_bank_hashes_signal_value_bank" in found, found
    assert "SCAN bank_hashes" not in found and "Seq Scan on bank_hashes" not in found, found


def test_an_index_load_reads_hashes_in_id_order_without_sorting_them(store: BankStore) -> None:
    found = plan(store, index_load_query("sha256", 0))
    assert "TEMP B-TREE" not in found and "Sort" not in found, found


def test_a_catch_up_reads_only_the_hashes_after_its_last_along_the_primary_key(store: BankStore) -> None:
    found = plan(store, index_load_query("sha256", 14_990))
    assert "uq_bank_hashes_signal_value_bank" not in found and "TEMP B-TREE" not in found and "Sort" not in found, found
    assert "INTEGER PRIMARY KEY" in found or "bank_hashes_pkey" in found, found


def test_the_quarantined_entries_are_read_from_their_index_not_from_every_entry(store: BankStore) -> None:
    found = plan(store, QUARANTINED_QUERY)
    assert "ix_bank_entries_quarantined" in found, found
