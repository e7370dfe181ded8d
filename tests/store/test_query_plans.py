"""The hot lookups use their indexes on both databases, whatever the bank's size: checked on the
plans the databases give for the statements as Clearsight sends them (bound parameters)."""

from __future__ import annotations

import random

from sqlalchemy import text

from clearsight.store.banks import BankStore, exact_query
from clearsight.store.db import open_engine
from clearsight.store.records import BankRecord

PAIRS = [("md5", "0" * 32), ("sha1", "1" * 40), ("sha256", "2" * 64), ("video_md5", "0" * 32), ("md5", "3" * 32)]


def test_exact_lookups_search_the_signal_value_index_and_never_scan_the_hashes(db: str) -> None:
    store = BankStore(open_engine(db))
    store.create("one")
    rng = random.Random(7)
    store.import_records("one", (BankRecord({"md5": rng.randbytes(16).hex(), "sha1": rng.randbytes(20).hex(), "sha256": rng.randbytes(32).hex()})
                                 for _ in range(5000)))
    with store.engine.begin() as conn:
        conn.execute(text("ANALYZE"))  # the statistics a database in use has
    compiled = exact_query(PAIRS).compile(store.engine, compile_kwargs={"render_postcompile": True})
    statement = str(compiled)
    with store.engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        if conn.dialect.name == "sqlite":
            params = [compiled.params[name] for name in compiled.positiontup or ()]
            plan = " | ".join(str(row[3]) for row in driver.execute("EXPLAIN QUERY PLAN " + statement, params))
            assert "ix_bank_hashes_signal_value" in plan and "SCAN bank_hashes" not in plan, plan
        else:
            plan = " | ".join(row[0] for row in driver.execute("EXPLAIN " + statement, compiled.params))
            assert "ix_bank_hashes_signal_value" in plan and "Seq Scan on bank_hashes" not in plan, plan
