"""Load on the matching API: `clearsight serve --api` on loopback with a bank of N random PDQ
hashes, driven from another process for a bounded time: by `wrk` (Debian's package, a C load
generator, with a Lua script rotating the queries) when it is installed, else by an asyncio
client (httpx), which on 2 cores takes much of the CPU the server needs. Each request is one
single-hash lookup (`GET /m/lookup`, HMA's call) of a bank hash with 4 bits flipped, so every
answer is a match. Printed: lookups/s, p50 and p99 latency, errors.

    python benchmarks/api_load.py [--hashes 1000000] [--seconds 20] [--warmup 10] [--concurrency 32] [--workers N] [--driver wrk|asyncio]

The server runs one process per core (`clearsight serve --api --workers N`); the first `--warmup`
seconds of load are not measured: they fill each process's cache of the matched hashes' labels,
as a service in steady state has it.

Target (issue 8): at least 2,000 lookups/s on 2 cores with p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from clearsight.assess.accounts import Accounts
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.records import BankRecord

SEED = 20261125


CHECKED = 200
"""Queries asked again, and their answers checked, after the measured load."""


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bank(db: str, count: int) -> list[str]:
    rng = np.random.default_rng(SEED)
    values = [rng.bytes(32).hex() for _ in range(count)]
    store = BankStore(open_engine(db))
    store.create("load", source="benchmark", classification="A")
    store.import_records("load", (BankRecord({"pdq": value}) for value in values))
    return values[:: max(1, count // 10_000)]


def _flip(value: str, rng: np.random.Generator) -> str:
    bits = bytearray(bytes.fromhex(value))
    for bit in rng.choice(256, size=4, replace=False):
        bits[bit // 8] ^= 1 << (bit % 8)
    return bits.hex()


async def _drive(url: str, token: str, queries: list[str], seconds: float, concurrency: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=10) as client:

        async def worker(offset: int) -> None:
            nonlocal errors
            index = offset
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                answer = await client.get("/m/lookup", params={"signal_type": "pdq", "signal": queries[index % len(queries)]})
                latencies.append(time.perf_counter() - started)
                if answer.status_code != 200 or list(answer.json()) != ["load"]:
                    errors += 1
                index += concurrency

        await asyncio.gather(*(worker(offset) for offset in range(concurrency)))
    return latencies, errors


WRK_SCRIPT = """
local queries = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/m/lookup?signal_type=pdq&signal=" .. queries[(i %% #queries) + 1])
end
"""


def _wrk(url: str, token: str, queries: list[str], seconds: float, concurrency: int, work: Path) -> tuple[float, float, float, int]:
    """(lookups/s, p50 ms, p99 ms, non-2xx answers) measured by wrk."""
    script = work / "lookup.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{query}"' for query in queries))
    done = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{int(seconds)}s", "--latency", "-s", str(script),
                           "-H", f"Authorization: Bearer {token}", url], capture_output=True, text=True, check=True).stdout

    def field(label: str) -> str:
        return next(line.split()[1] for line in done.splitlines() if line.strip().startswith(label))

    def millis(text: str) -> float:
        return float(text[:-2]) if text.endswith("ms") else float(text[:-2]) / 1000 if text.endswith("us") else float(text[:-1]) * 1000

    errors = next((int(line.split()[-1]) for line in done.splitlines() if "Non-2xx" in line), 0)
    return float(done.split("Requests/sec:")[1].split()[0]), millis(field("50%")), millis(field("99%")), errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of the same load before measuring")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes (default: one per core)")
    parser.add_argument("--driver", choices=("wrk", "asyncio"), default="wrk" if shutil.which("wrk") else "asyncio")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        db = str(Path(work) / "api.db")
        started = time.perf_counter()
        sample = _bank(db, args.hashes)
        print(f"bank of {args.hashes:,} PDQ hashes imported in {time.perf_counter() - started:.1f} s")
        token = Accounts(open_engine(db), actor="benchmark").add_token("load", None)
        port = _port()
        env = os.environ | {"CLEARSIGHT_API_RATE": "1000000", "CLEARSIGHT_CACHE_DIR": str(Path(work) / "cache")}
        server = subprocess.Popen([sys.executable, "-m", "clearsight", "serve", "--api", "--db", db, "--port", str(port),
                                   "--workers", str(args.workers)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            rng = np.random.default_rng(SEED + 1)
            queries = [_flip(value, rng) for value in sample]
            warm = time.perf_counter()
            while True:
                try:
                    if httpx.get(f"{url}/m/lookup", params={"signal_type": "pdq", "signal": queries[0]},
                                 headers={"Authorization": f"Bearer {token}"}, timeout=120).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            print(f"server up and index built in {time.perf_counter() - warm:.1f} s")
            for seconds in (args.warmup, args.seconds):  # the first run fills the processes' label caches; the second is measured
                if args.driver == "wrk":
                    rate, p50, p99, errors = _wrk(url, token, queries, seconds, args.concurrency, Path(work))
                else:
                    latencies, errors = asyncio.run(_drive(url, token, queries, seconds, args.concurrency))
                    ordered = np.sort(np.array(latencies))
                    rate, p50, p99 = len(ordered) / seconds, ordered[len(ordered) // 2] * 1000, ordered[int(len(ordered) * 0.99)] * 1000
            checked = queries[:: max(1, len(queries) // CHECKED)]
            matched = sum(list(httpx.get(f"{url}/m/lookup", params={"signal_type": "pdq", "signal": query},
                                         headers={"Authorization": f"Bearer {token}"}, timeout=30).json()) == ["load"] for query in checked)
        finally:
            server.terminate()
            server.wait(10)
    print(f"single-hash lookups for {args.seconds:.0f} s after {args.warmup:.0f} s of warm-up, {args.concurrency} connections, "
          f"{args.workers} server processes, driven by {args.driver}: {errors} errors")
    print(f"  answers   : {matched}/{len(checked)} of the queries, asked again after the load, match the bank (wrk counts statuses only)")
    print(f"  lookups/s : {rate:8.0f}   (target >= 2,000)")
    print(f"  p50       : {p50:8.1f} ms")
    print(f"  p99       : {p99:8.1f} ms   (target < 50 ms)")


if __name__ == "__main__":
    main()
