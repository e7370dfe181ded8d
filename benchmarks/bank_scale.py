"""Banks at a hotline's size: `clearsight bank import` of an N-row CSV (MD5, SHA-1, SHA-256 and
PDQ per row, as partners' lists carry them) against a plain `csv` + `sqlite3` insert loop into
an indexed table on the same file, with each one's peak memory; then a scan of the same images
with no bank and with that bank in the case database, on SQLite and on PostgreSQL.

The issue's targets: the import at least 0.5x the plain loop and under 300 MB peak, and the scan
with the bank at least 0.9x the scan without it (measured as every scan but the first after an
import runs: the first reads all the bank's PDQ hashes into the index once, printed too).
`--millions N` instead grows one SQLite bank by N imports of a million new rows each and prints
each one's rows/s: flat throughput is the target.

    .venv/bin/python benchmarks/bank_scale.py [--rows 1000000] [--images 300] [--db sqlite|postgresql|both]
    .venv/bin/python benchmarks/bank_scale.py --millions 10
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from scan_throughput import make_corpus

PG_ADMIN = os.environ.get("CLEARSIGHT_TEST_PG", "postgresql://127.0.0.1:5432/test")
CLEARSIGHT = str(Path(sys.executable).with_name("clearsight"))


def make_list(path: Path, rows: int, seed: int = 11) -> None:
    """Random distinct hashes, one entry per row, written as a stream."""
    generator = random.Random(seed)
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["md5", "sha1", "sha256", "pdq", "classification", "ref"])
        for number in range(rows):
            seed = generator.randbytes(32)
            writer.writerow([hashlib.md5(seed).hexdigest(), hashlib.sha1(seed).hexdigest(), hashlib.sha256(seed).hexdigest(),
                             generator.randbytes(32).hex(), "A", f"ref-{number}"])


def plain_loop(path: Path, db: Path) -> float:
    """The floor: the same rows into one indexed table, csv.reader + executemany per 20,000."""
    started = time.perf_counter()
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE hashes (id INTEGER PRIMARY KEY, signal TEXT, value TEXT, classification TEXT, ref TEXT)")
        conn.execute("CREATE UNIQUE INDEX by_value ON hashes (signal, value)")
        with path.open(newline="") as stream:
            reader = csv.reader(stream)
            header = next(reader)
            batch: list[tuple[str, str, str, str]] = []
            for row in reader:
                batch += [(header[column], row[column], row[4], row[5]) for column in range(4)]
                if len(batch) >= 80_000:
                    conn.executemany("INSERT OR IGNORE INTO hashes (signal, value, classification, ref) VALUES (?, ?, ?, ?)", batch)
                    batch = []
            conn.executemany("INSERT OR IGNORE INTO hashes (signal, value, classification, ref) VALUES (?, ?, ?, ?)", batch)
    return time.perf_counter() - started


def run(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([CLEARSIGHT, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def peak_child_mib() -> float:
    """The largest peak resident size of any child process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def import_bank(listing: Path, db: str) -> float:
    """Seconds for `bank import` of the list into a new bank of `db`."""
    run("bank", "create", "partners", "--db", db)
    return run("bank", "import", "partners", str(listing), "--db", db)


def compare_scans(label: str, images: Path, count: int, empty_db: str, bank_db: str, rows: int) -> None:
    """The same images scanned into a case database without a bank and into one with the bank:
    first by the first command after the import (which reads every PDQ hash into the index and
    keeps a snapshot of it), then again, from a copy of the folder (new files to the case), by a
    command that starts from that snapshot, as every later scan of the case does."""
    again = images.with_name(f"{images.name}-again-{label}")
    shutil.copytree(images, again)
    without = count / run("scan", str(images), "--db", empty_db, "--workers", "2")
    first = count / run("scan", str(images), "--db", bank_db, "--workers", "2")
    later = count / run("scan", str(again), "--db", bank_db, "--workers", "2")
    print(f"{label}: scan without a bank {without:6.1f} images/s; with the {rows:,}-row bank {later:6.1f} images/s: {later / without:.2f}x "
          f"(the first command after the import, building the index: {first:6.1f} images/s, {first / without:.2f}x)")


def grow(millions: int) -> None:
    """One bank grown a million rows at a time: each import's rows/s as the bank gets bigger."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = str(work / "grow.db")
        run("bank", "create", "partners", "--db", db)
        for million in range(millions):
            listing = work / "list.csv"
            make_list(listing, 1_000_000, seed=1000 + million)
            seconds = run("bank", "import", "partners", str(listing), "--db", db)
            print(f"rows {million:>3}M-{million + 1}M: {1_000_000 / seconds:8,.0f} rows/s, peak {peak_child_mib():.0f} MiB, "
                  f"{Path(db).stat().st_size / 2**30:.2f} GiB on disk", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--millions", type=int, help="Only grow one bank by this many million-row imports.")
    args = parser.parse_args()
    if args.millions:
        grow(args.millions)
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        listing = work / "list.csv"
        make_list(listing, args.rows)
        print(f"list: {args.rows:,} rows, {listing.stat().st_size / 2**20:.0f} MiB")
        floor = plain_loop(listing, work / "plain.db")
        print(f"plain csv + sqlite3 loop: {floor:7.1f} s ({args.rows / floor:,.0f} rows/s)")
        ours = import_bank(listing, str(work / "import.db"))
        db_bytes = (work / "import.db").stat().st_size
        print(f"clearsight bank import:   {ours:7.1f} s ({args.rows / ours:,.0f} rows/s): {floor / ours:.2f}x the plain loop, "
              f"peak {peak_child_mib():.0f} MiB, {db_bytes / args.rows:,.0f} bytes per row on disk")
        images = work / "images"
        images.mkdir()
        make_corpus(images, args.images)
        if args.db in ("sqlite", "both"):
            compare_scans("SQLite", images, args.images, str(work / "empty.db"), str(work / "import.db"), args.rows)
        if args.db in ("postgresql", "both"):
            names = [f"clearsight_bank_{uuid.uuid4().hex[:8]}" for _ in range(2)]
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                for name in names:
                    admin.execute(f'CREATE DATABASE "{name}"')
            base = PG_ADMIN.rsplit("/", 1)[0]
            try:
                print(f"PostgreSQL: bank import {import_bank(listing, f'{base}/{names[1]}'):7.1f} s")
                compare_scans("PostgreSQL", images, args.images, f"{base}/{names[0]}", f"{base}/{names[1]}", args.rows)
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                    for name in names:
                        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
