"""Exchange fetch-and-apply at scale: a StopNCII exchange of N entries (default 1,000,000) served
by the loopback fake of tests/exchanges/fake_servers.py in this process, fetched by
`clearsight exchange fetch` in its own process (wall time, entries/s, peak RSS), then an update of
10,000 changes (4,000 new hashes, 4,000 changed, 2,000 withdrawn) fetched the same way, and the
time until a matcher that had loaded the bank before the update matches the new hashes and no
longer the withdrawn ones (fetch plus the matcher's catch-up from the removal log and new ids).

    .venv/bin/python benchmarks/exchange_scale.py [--entries 1000000] [--db sqlite|URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clearsight.banks.matcher import Matcher
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from tests.exchanges.fake_servers import FUNCTION_KEY, SUBSCRIPTION_KEY, FakeServer, StopNCIIState

UPDATE = 10_000


def pdq(number: int) -> str:
    """A PDQ-shaped value far from every other one (random bits, fixed by `number`)."""
    return random.Random(number).getrandbits(256).to_bytes(32, "big").hex()


MEASURED = "import resource, runpy, sys; sys.argv = ['clearsight', *sys.argv[1:]]\ntry:\n runpy.run_module('clearsight', run_name='__main__')\nfinally:\n print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"


def run(*args: str, stdin: str | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one clearsight command in its own process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED, *args], input=stdin, text=True, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"clearsight {' '.join(args)} failed: {done.stderr[-2000:]}")
    peak = max((int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK ")), default=0)
    return seconds, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="exchange-bench-"))
    db = str(work / "case.db") if args.db == "sqlite" else args.db
    os.environ["CLEARSIGHT_CACHE_DIR"] = str(work / "cache")
    state = StopNCIIState(page_size=5_000)
    for number in range(args.entries):
        state.put(pdq(number + 1))
    server = FakeServer(state)
    credentials = json.dumps({"fetch_function_key": FUNCTION_KEY, "subscription_key": SUBSCRIPTION_KEY, "base_url_override": server.base + "/v1"})
    run("exchange", "credentials", "stop_ncii", "--db", db, stdin=credentials)
    run("exchange", "add", "NCII", "--api", "stop_ncii", "--db", db)
    seconds, peak = run("exchange", "fetch", "NCII", "--db", db)
    print(f"first fetch of {args.entries:,} entries: {seconds:.1f} s, {args.entries / seconds:,.0f} entries/s, peak RSS {peak:,.0f} MiB")

    matcher = Matcher(BankStore(open_engine(db)))
    matcher.match({"pdq": pdq(1)}, {"pdq": 100})
    new = [pdq(args.entries + 1 + number) for number in range(4_000)]
    for value in new:
        state.put(value)
    for number in range(4_000):
        state.put(pdq(number + 10), tags=("verified",))
    withdrawn = [pdq(args.entries - number) for number in range(2_000)]
    for value in withdrawn:
        state.put(value, status="Withdrawn")
    started = time.perf_counter()
    fetch_seconds, peak = run("exchange", "fetch", "NCII", "--db", db)
    matcher.refresh()
    matchable = time.perf_counter() - started
    found_new = all(any(match.distance == 0 for match in matcher.match({"pdq": value}, {"pdq": 100}).matches) for value in new)
    gone = not any(any(match.distance == 0 for match in matcher.match({"pdq": value}, {"pdq": 100}).matches) for value in withdrawn)
    print(f"update of {UPDATE:,} changes: fetch {fetch_seconds:.1f} s (peak RSS {peak:,.0f} MiB); matchable {matchable:.1f} s after the fetch started "
          f"(new hashes match: {found_new}, withdrawn ones no longer: {gone})")
    server.close()


if __name__ == "__main__":
    main()
