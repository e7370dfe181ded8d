"""A scan killed at random moments, then finished: is every item recorded exactly once?

A corpus of benign files (small JPEGs and PNGs, and zips of three images each) is scanned with
`clearsight scan --workers 2`; the scan's whole process group gets SIGKILL at a random moment,
`--kills` times, each run resuming the last; then it runs to the end. On PostgreSQL the server is
also restarted in the middle of one run. The figures: items in the final output, distinct paths,
and paths recorded more than once (must be none).

    .venv/bin/python benchmarks/kill_resume.py [--files 2000] [--kills 20] [--db sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import psycopg
from PIL import Image

PG_ADMIN = os.environ.get("CLEARSIGHT_TEST_PG", "postgresql://127.0.0.1:5432/test")


def make_corpus(folder: Path, files: int, seed: int = 7) -> int:
    """`files` files; every tenth a zip of three images. Returns the number of items a scan records."""
    rng = np.random.default_rng(seed)
    items = 0
    for index in range(files):
        pixels = rng.integers(0, 256, (96, 128, 3), dtype=np.uint8).repeat(2, axis=0).repeat(2, axis=1)
        image = Image.fromarray(pixels)
        sub = folder / f"d{index % 17:02d}"
        sub.mkdir(exist_ok=True)
        if index % 10 == 9:
            with zipfile.ZipFile(sub / f"album-{index:05d}.zip", "w") as archive:
                for member in range(3):
                    buffer = sub / "tmp.png"
                    image.rotate(90 * member).save(buffer)
                    archive.write(buffer, f"m{member}.png")
                    buffer.unlink()
            items += 4
        else:
            image.save(sub / f"img-{index:05d}.{'jpg' if index % 2 else 'png'}")
            items += 1
    return items


def restart_postgres() -> None:
    version = os.listdir("/etc/postgresql")[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True, capture_output=True)


def soak(corpus: Path, expected: int, db: str, kills: int, out: Path, postgres: bool) -> None:
    command = [sys.executable, "-m", "clearsight", "scan", str(corpus), "--db", db, "--workers", "2", "--out", str(out)]
    rng = random.Random(11)
    killed = restarted = 0
    started = time.perf_counter()
    while killed < kills:
        run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        # A moment within the start-up (about 2.5 s on a 2-core machine) and the first second or
        # so of work: the whole 2,000-file scan takes only about 10 s of work, and a later moment
        # would let most runs finish before they are killed.
        deadline = time.monotonic() + rng.uniform(1.0, 4.0)
        if postgres and killed == 1 and not restarted:
            time.sleep(3)
            restart_postgres()
            restarted += 1
        while run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if run.poll() is not None:
            print(f"  run ended by itself (exit {run.returncode}) before kill {killed + 1}")
            if run.returncode == 0:
                break
            continue
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        killed += 1
    final = subprocess.run(command, check=False, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    records = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    per_path = Counter(record["path"] for record in records)
    twice = sum(1 for count in per_path.values() if count > 1)
    print(f"  {killed} kills, {restarted} server restarts, final exit {final.returncode} ({final.stderr.strip().splitlines()[-1:] if final.returncode else 'ok'})")
    print(f"  expected {expected} items; output {len(records)} records, {len(per_path)} distinct paths, "
          f"{twice} paths more than once, {sum(1 for r in records if r.get('error'))} with errors; {seconds:.0f} s in all")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        corpus.mkdir()
        expected = make_corpus(corpus, args.files)
        print(f"corpus: {args.files} files, {expected} items")
        if args.db in ("sqlite", "both"):
            print("SQLite:")
            soak(corpus, expected, str(work / "soak.db"), args.kills, work / "sqlite.jsonl", postgres=False)
        if args.db in ("postgresql", "both"):
            name = f"clearsight_soak_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            try:
                print("PostgreSQL (server restarted mid-scan):")
                soak(corpus, expected, PG_ADMIN.rsplit("/", 1)[0] + "/" + name, args.kills, work / "pg.jsonl", postgres=True)
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
