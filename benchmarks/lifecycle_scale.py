"""Takedown lifecycle at scale: 1,000,000 lifecycle events imported with `clearsight reports
update` into a case database of 250,000 reports, then `clearsight stats` computed over them.
Each step runs as its own `clearsight` process, as an operator runs it; printed: the wall time
and peak memory (RSS) of each, and their sum against the target.

    python benchmarks/lifecycle_scale.py [--reports 250000] [--events 1000000] [--db URL]

The events are what a hotline's year looks like: a notice for every report (to a host, a
registrar or a hotline), acknowledgements for some, a removal for about 80% (most within days, a
long tail over weeks), and crawler re-checks (`still_live`) of the rest and of reports before
their removal, spread over 2025 and 2026 with all three web layers, 40 hosting countries and the
site types, including the AI services. The reports themselves are inserted in bulk beforehand
(not timed): the figure is the import and the statistics.

Target (issue 20): import and statistics together under 60 s and under 1 GB.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from clearsight.intake.reports import SITE_TYPES, WEB_LAYERS
from clearsight.store.db import open_engine
from clearsight.store.models import Report

SEED = 20261204
COUNTRIES = [f"{chr(65 + a)}{chr(65 + b)}" for a in range(5) for b in range(8)]
RECIPIENTS = ("host", "registrar", "inhope_hotline")
START = datetime(2025, 1, 1, tzinfo=UTC)


def _reports(db: str, count: int) -> list[datetime]:
    """Insert the reports in bulk; each report's received time, by report number."""
    rng = random.Random(SEED)
    engine = open_engine(db)
    received = [START + timedelta(seconds=rng.randrange(700 * 86_400)) for _ in range(count)]
    rows = [{"received_at": at, "source": "public", "url": f"https://host{n % 5000}.example/{n}", "domain": f"host{n % 5000}.example",
             "web_layer": rng.choice(WEB_LAYERS), "hosting_country": rng.choice(COUNTRIES), "site_type": rng.choice(SITE_TYPES),
             "commercial": "none", "outcome": None, "notes": None, "created_by": "bench", "created_at": at, "external_id": f"r{n}"}
            for n, at in enumerate(received)]
    with engine.begin() as conn:
        for lo in range(0, count, 20_000):
            conn.execute(insert(Report.__table__), rows[lo : lo + 20_000])
    engine.dispose()
    return received


def _events(path: Path, received: list[datetime], total: int) -> int:
    """Write the events file; how many rows."""
    rng = random.Random(SEED + 1)
    written = 0
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["report_id", "event", "at", "to", "note"])
        for n, at in enumerate(received):
            notice = at + timedelta(hours=rng.uniform(0.5, 12))
            rows = [("notice_sent", notice, rng.choice(RECIPIENTS))]
            if rng.random() < 0.6:
                rows.append(("acknowledged", notice + timedelta(hours=rng.uniform(1, 48)), None))
            removed = notice + timedelta(hours=rng.lognormvariate(3.5, 1.3)) if rng.random() < 0.8 else None
            share = -(-(total - written) // max(1, len(received) - n))
            budget = max(1, share - len(rows) - (removed is not None))
            for check in range(budget):
                checked = notice + timedelta(days=check + 1)
                if removed is None or checked < removed:
                    rows.append(("still_live", checked, None))
            if removed is not None:
                rows.append(("removed", removed, None))
            for event, when, to in rows[: total - written]:
                writer.writerow([f"r{n}", event, when.isoformat(), to or "", ""])
            written += min(len(rows), total - written)
    return written


def _run(*args: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one clearsight process (its own rusage, from wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "clearsight", *args], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"clearsight {' '.join(args)} exited {process.returncode}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=250_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", help="A database URL (default: a new SQLite file)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        db = options.db or str(Path(work) / "case.db")
        received = _reports(db, options.reports)
        events = _events(Path(work) / "events.csv", received, options.events)
        size = os.path.getsize(Path(work) / "events.csv") / 2**20
        print(f"{options.reports:,} reports, {events:,} events ({size:,.0f} MiB of CSV) on {'SQLite' if not options.db else options.db.split(':')[0]}")
        import_s, import_mib = _run("reports", "update", str(Path(work) / "events.csv"), "--db", db, "--format", "json")
        print(f"import: {import_s:.1f} s, peak RSS {import_mib:,.0f} MiB ({events / import_s:,.0f} events/s)")
        stats_s, stats_mib = _run("stats", "--year", "2026", "--db", db, "--format", "json")
        print(f"stats:  {stats_s:.1f} s, peak RSS {stats_mib:,.0f} MiB")
        total = import_s + stats_s
        print(f"total:  {total:.1f} s (target < 60 s: {'met' if total < 60 else 'NOT met'}); "
              f"peak RSS {max(import_mib, stats_mib):,.0f} MiB (target < 1024 MiB: {'met' if max(import_mib, stats_mib) < 1024 else 'NOT met'})")


if __name__ == "__main__":
    main()
