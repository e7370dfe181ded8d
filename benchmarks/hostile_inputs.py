"""Peak memory and time of hostile files, in `clearsight scan` and in the matching API.

Each case is built here from benign bytes (solid colours, NONE opcodes, zero bytes), then:
- scanned alone with `clearsight scan FILE --workers 1`: peak RSS is sampled from /proc over the
  whole process tree (the driver and its worker processes; `/usr/bin/time` sees only the driver);
- uploaded to `POST /api/v1/files` of a `clearsight serve --api` started for the run: peak RSS
  of the server's process tree while it answers, and the HTTP status.
The target of issue 22: every case under 1 GB per process and 60 s, or refused with a reason.

    .venv/bin/python benchmarks/hostile_inputs.py [--cases png_bomb,webp_144mp,...] [--no-api]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Self

import httpx
from PIL import Image

PAGE = os.sysconf("SC_PAGE_SIZE")
DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest date a zip can hold
CLEARSIGHT = [sys.executable, "-m", "clearsight"]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(folder: Path) -> Path:
    """69 bytes whose header claims 5,000,000 x 100,000 pixels."""
    data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 5_000_000, 100_000, 8, 2, 0, 0, 0))
    data += _chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _chunk(b"IEND", b"")
    path = folder / "bomb.png"
    path.write_bytes(data)
    return path


def webp_144mp(folder: Path) -> Path:
    """A lossless 12,000 x 12,000 WebP of one colour: a few hundred bytes, 144 MP."""
    path = folder / "flat.webp"
    Image.new("RGB", (12_000, 12_000), (40, 90, 160)).save(path, lossless=True, quality=100, method=0)
    return path


def png_169mp(folder: Path) -> Path:
    """A 13,000 x 13,000 PNG of one colour (within the default pixel limit)."""
    path = folder / "flat.png"
    Image.new("RGB", (13_000, 13_000), (200, 180, 20)).save(path, compress_level=9)
    return path


def apng_3000(folder: Path) -> Path:
    """An animated PNG of 3,000 small frames."""
    frames = [Image.new("RGB", (320, 240), (index % 256, (index * 7) % 256, 90)) for index in range(3000)]
    path = folder / "many.png"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=40)
    return path


def pickle_checkpoint_4gb(folder: Path) -> Path:
    """A PyTorch-style zip checkpoint of 4 GiB: a small `data.pkl` and 4 GiB of stored tensor bytes."""
    path = folder / "model.pt"
    block = bytes(64 * 1024 * 1024)
    # A pickle of plain tuples, written by hand (protocol 2 opcodes); never unpickled anywhere.
    pickle_bytes = b"\x80\x02}q\x00(X\x06\x00\x00\x00weightq\x01K\x00K\x01\x86q\x02u."
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr("archive/data.pkl", pickle_bytes)
        archive.writestr("archive/version", b"3\n")
        with archive.open("archive/data/0", "w", force_zip64=True) as member:
            for _ in range(64):
                member.write(block)
    return path


def pickle_none_flood(folder: Path) -> Path:
    """A small `.pt` whose `data.pkl` is 400 MB of NONE opcodes (deflated to a few hundred KB)."""
    path = folder / "flood.pt"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open("archive/data.pkl", "w", force_zip64=True) as member:
        member.write(b"\x80\x02")
        chunk = b"N" * (16 * 1024 * 1024)
        for _ in range(25):
            member.write(chunk)
        member.write(b".")
    return path


def overlapping_zip(folder: Path) -> Path:
    """D. Fifield's full-overlap construction: 200 central-directory entries share one ~1 GiB kernel."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = bytearray()
    zeros = bytes(16 * 1024 * 1024)
    crc = 0
    for _ in range(64):
        kernel += compressor.compress(zeros)
        crc = zlib.crc32(zeros, crc)
    kernel += compressor.flush()
    size, name = 64 * len(zeros), b"a"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, DOS_DATE, crc, len(kernel), size, len(name), 0) + name
    body = local + bytes(kernel)
    directory = b"".join(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, DOS_DATE, crc, len(kernel), size, len(name),
                                     0, 0, 0, 0, 0, 0) + name for _ in range(200))
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 200, 200, len(directory), len(body), 0)
    path = folder / "overlap.zip"
    path.write_bytes(body + directory + end)
    return path


CASES: dict[str, Callable[[Path], Path]] = {
    "png_bomb": png_bomb, "webp_144mp": webp_144mp, "png_169mp": png_169mp, "apng_3000": apng_3000,
    "pickle_4gb": pickle_checkpoint_4gb, "pickle_none_flood": pickle_none_flood, "overlapping_zip": overlapping_zip,
}


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _tree_rss(root: int) -> dict[int, int]:
    """Resident bytes of `root` and every process below it, now."""
    tree, todo, sizes = _children(), [root], {}
    while todo:
        pid = todo.pop()
        try:
            sizes[pid] = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except OSError:
            pass
        todo.extend(tree.get(pid, []))
    return sizes


class PeakSampler:
    """Samples a process tree's RSS every 20 ms: the largest single process and the largest total."""

    def __init__(self, root: int) -> None:
        self.root, self.process, self.total = root, 0, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            sizes = _tree_rss(self.root)
            if sizes:
                self.process = max(self.process, max(sizes.values()))
                self.total = max(self.total, sum(sizes.values()))
            self.stop.wait(0.02)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def scan_case(path: Path, work: Path) -> tuple[float, int, int, str]:
    """Seconds, peak per-process RSS, peak total RSS and the item's error (or 'ok') of scanning one file."""
    out, db = work / f"{path.name}.jsonl", work / f"{path.name}.db"
    started = time.perf_counter()
    process = subprocess.Popen([*CLEARSIGHT, "scan", str(path), "--db", str(db), "--workers", "1", "--out", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with PeakSampler(process.pid) as peak:
        try:
            _, stderr = process.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            process.kill()
            return time.perf_counter() - started, peak.process, peak.total, "TIMEOUT after 300 s"
    seconds = time.perf_counter() - started
    if process.returncode:
        return seconds, peak.process, peak.total, f"exit {process.returncode}: {stderr.decode(errors='replace').strip().splitlines()[-1:]}"
    records = [json.loads(line) for line in out.read_text().splitlines()]
    errors = sorted({record["error"] for record in records if record.get("error")})
    return seconds, peak.process, peak.total, f"{len(records)} items; " + ("; ".join(errors)[:160] if errors else "no error")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ApiServer:
    """`clearsight serve --api` on a loopback port, with a token; started again if a case killed it."""

    def __init__(self, work: Path) -> None:
        db = str(work / "api.db")
        self.env = os.environ | {"CLEARSIGHT_DB": db, "CLEARSIGHT_CACHE_DIR": str(work / "cache")}
        self.token = subprocess.run([*CLEARSIGHT, "tokens", "add", "hostile"], env=self.env, capture_output=True, text=True,
                                    check=True).stdout.split()[0]
        self._start()

    def _start(self) -> None:
        self.url = f"http://127.0.0.1:{_free_port()}"
        self.process = subprocess.Popen([*CLEARSIGHT, "serve", "--api", "--port", self.url.rsplit(":", 1)[1]], env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                if httpx.get(f"{self.url}/api/v1/status/live", timeout=2).status_code < 500:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("the API server did not start")

    def upload(self, path: Path) -> tuple[float, int, int, str]:
        if self.process.poll() is not None:
            self._start()
        started = time.perf_counter()
        with PeakSampler(self.process.pid) as peak:
            try:
                with path.open("rb") as body:
                    answer = httpx.post(f"{self.url}/api/v1/files", files={"file": (path.name, body)},
                                        headers={"Authorization": f"Bearer {self.token}"}, timeout=300)
                outcome = f"HTTP {answer.status_code}: {answer.text[:160]}"
            except httpx.HTTPError as error:
                outcome = f"server died: {type(error).__name__}: {error}"
        return time.perf_counter() - started, peak.process, peak.total, outcome

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    parser.add_argument("--no-api", action="store_true", help="only the scan")
    args = parser.parse_args()
    print(f"{'case':20} {'where':5} {'file':>10} {'seconds':>8} {'peak/proc':>10} {'peak/all':>10}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = None if args.no_api else ApiServer(work)
        try:
            for name in args.cases.split(","):
                folder = work / name
                folder.mkdir()
                path = CASES[name](folder)
                size = path.stat().st_size
                rows = [("scan", scan_case(path, work))]
                if server is not None and size < 64 * 1024 * 1024:  # the API refuses bigger uploads before reading them
                    rows.append(("api", server.upload(path)))
                for where, (seconds, process_peak, total_peak, outcome) in rows:
                    print(f"{name:20} {where:5} {size:>10,} {seconds:8.1f} {process_peak / 2**20:8.0f}MB {total_peak / 2**20:8.0f}MB  {outcome}",
                          flush=True)
                path.unlink()
        finally:
            if server is not None:
                server.close()


if __name__ == "__main__":
    main()
