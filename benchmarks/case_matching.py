"""Matching a whole case's items against the banks, as the assessment queue does before it shows
any item (so that known items never reach a person): `Matcher.match_many` in chunks of 500,
against the same matcher called once per item (`Matcher.match`, what a scan does per record),
on the same case database in one run.

The case holds N items with a SHA-256 and a PDQ each; the bank holds B entries (SHA-256 and PDQ),
a tenth of them exact copies of case items. Both ways must find the same matches.

    python benchmarks/case_matching.py [--items 20000] [--bank 20000]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from clearsight.banks.matcher import Matcher, MatchQuery, MatchReport
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.models import MediaItem
from clearsight.store.records import BankRecord

CHUNK = 500


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--bank", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(20261125)
    engine = open_engine(str(Path(tempfile.mkdtemp()) / "case.db"))
    now = datetime.now(UTC)
    sha = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(args.items)]
    pdq = [rng.randbytes(32).hex() for _ in range(args.items)]
    with engine.begin() as conn:
        conn.execute(insert(MediaItem.__table__), [{"version_key": sha[i], "path": f"/case/{i}.jpg", "size": 1, "mtime_ns": 0, "media_type": "image",
                                                     "mime": "image/jpeg", "first_seen": now} for i in range(args.items)])
    store = BankStore(engine)
    store.create("partner", source="benchmark", classification="B")
    known = {rng.randrange(args.items) for _ in range(args.bank // 10)}
    records = [BankRecord({"sha256": sha[i], "pdq": pdq[i]}) for i in known]
    records += [BankRecord({"sha256": hashlib.sha256(f"bank{i}".encode()).hexdigest(), "pdq": rng.randbytes(32).hex()})
                for i in range(args.bank - len(records))]
    store.import_records("partner", records)
    queries = [MatchQuery({"sha256": sha[i], "pdq": pdq[i]}) for i in range(args.items)]
    matcher = Matcher(store)

    started = time.perf_counter()
    one_by_one = [matcher.match(query.hashes) for query in queries]
    single = time.perf_counter() - started
    started = time.perf_counter()
    batched = [report for lo in range(0, len(queries), CHUNK) for report in matcher.match_many(queries[lo : lo + CHUNK])]
    many = time.perf_counter() - started

    def found(reports: list[MatchReport]) -> list[list[tuple[str, str, int, str | None]]]:
        return [[(match.bank, match.signal, match.distance, match.ref) for match in report.matches] for report in reports]

    assert found(one_by_one) == found(batched), "match_many must find what match finds"
    hits = sum(bool(report.matches) for report in batched)
    print(f"{args.items:,} case items against a bank of {args.bank:,} entries ({hits:,} items matched, the same both ways)")
    print(f"  Matcher.match, one item at a time : {single:7.2f} s  {args.items / single:9,.0f} items/s")
    print(f"  Matcher.match_many, {CHUNK} at a time : {many:7.2f} s  {args.items / many:9,.0f} items/s")
    print(f"  ratio (match_many / match)        : {single / many:7.2f}x")


if __name__ == "__main__":
    main()
