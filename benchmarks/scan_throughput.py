"""Images per second of `clearsight scan` against its peers, on the same files, in one run.

`--corpus realistic` (the default; needs the `bench` extra for scikit-image's photographs) builds
a seized drive's mix (`realistic_corpus`: 12 MP camera JPEGs, social-media JPEGs, generator PNGs,
WebP) and times, on each subset and on the whole mix, with `--workers` processes each:
* `clearsight scan` with every stage (hashes, PDQ, provenance with watermarks and stealth
  metadata, the case database), in a new case database;
* HMA's hasher: python-threatexchange's `PdqSignal.hash_from_file` plus hashlib's MD5, SHA-1 and
  SHA-256 of the bytes, in a process pool;
* ExifTool reading all metadata (`exiftool -j -r`), when it is installed;
* the floor: a bare Pillow full decode of each file (`Image.open(...).load()`) in a process pool.
CPU per image is the machine's CPU time over the run (keep the machine otherwise idle), start-up
included: for the scan, its imports, its workers' fork server and the new database's schema.

`--corpus synthetic` is the earlier comparison on smooth ~1 MP synthetic JPEGs against a naive
script (full decode + pdqhash + hashlib).

    .venv/bin/python benchmarks/scan_throughput.py [--corpus realistic] [--camera 24 --social 120 --png 120 --webp 90] [--workers 2]
    .venv/bin/python benchmarks/scan_throughput.py --corpus synthetic [--images 1500]
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image
from realistic_corpus import SUBSETS, build
from threatexchange.signal_type.pdq.signal import PdqSignal

from clearsight.demo.corpus import synthetic_image

WIDTH, HEIGHT = 1152, 864  # about one megapixel


def make_corpus(folder: Path, count: int) -> None:
    """Distinct benign ~1 MP JPEGs: a few synthetic bases, each shifted and re-encoded."""
    bases = [np.asarray(synthetic_image(seed, (WIDTH, HEIGHT))) for seed in range(8)]
    for index in range(count):
        pixels = np.roll(bases[index % len(bases)], index, axis=1)
        Image.fromarray(pixels).save(folder / f"img-{index:05d}.jpg", quality=88)


def naive_hash(path: Path) -> tuple[str, str, str, str, int]:
    data = path.read_bytes()
    image = Image.open(path).convert("RGB")
    bits, quality = pdqhash.compute(np.asarray(image))
    return (hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest(), hashlib.sha256(data).hexdigest(), str(bits.sum()), quality)


def time_naive(files: list[Path], workers: int) -> float:
    started = time.perf_counter()
    with multiprocessing.get_context("forkserver").Pool(workers) as pool:
        for _ in pool.imap_unordered(naive_hash, files, chunksize=8):
            pass
    return time.perf_counter() - started


def time_clearsight(folder: Path, workers: int) -> float:
    return _timed([str(Path(sys.executable).with_name("clearsight")), "scan", str(folder), "--db", str(folder.parent / f"{folder.name}.db"), "--workers", str(workers)])[0]


def _machine_cpu() -> float:
    """CPU seconds this machine has spent so far, all processes together (`/proc/stat`): a scan's
    workers are children of its fork server, which no `getrusage` of ours ever counts."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(value) for value in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def _timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the machine) of one run of `command`."""
    cpu, started = _machine_cpu(), time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, _machine_cpu() - cpu


def hma_hash(path: Path) -> tuple[str, str, str, str]:
    """What HMA's hasher computes for a photo: python-threatexchange's PDQ and the file digests."""
    data = path.read_bytes()
    return PdqSignal.hash_from_file(path), hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest(), hashlib.sha256(data).hexdigest()


def full_decode(path: Path) -> tuple[int, int]:
    """The floor: every pixel decoded by Pillow, nothing else."""
    with Image.open(path) as image:
        image.load()
        return image.size


def _pool_times(work: Callable[[Path], object], files: list[Path], workers: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the machine) of `work` over the files in a process pool."""
    cpu, started = _machine_cpu(), time.perf_counter()
    with multiprocessing.get_context("forkserver").Pool(workers) as pool:
        for _ in pool.imap_unordered(work, files, chunksize=2):
            pass
    return time.perf_counter() - started, _machine_cpu() - cpu


def realistic(args: argparse.Namespace) -> None:
    exiftool = shutil.which("exiftool")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "drive"
        counts = {subset: getattr(args, subset) for subset in SUBSETS}
        files = build(root, counts)
        print(f"corpus: {', '.join(f'{subset} {len(files[subset])}' for subset in SUBSETS)}; workers: {args.workers}")
        print(f"{'subset':8} {'files':>5} {'MiB':>6} | {'clearsight':>10} {'HMA hasher':>10} {'exiftool':>8} {'decode':>8} images/s | "
              f"{'vs decode':>9} {'vs HMA':>6} | CPU ms/image: {'scan':>6} {'decode':>6} {'ratio':>5}")
        for subset in (*SUBSETS, "mix"):
            folder = root if subset == "mix" else root / subset
            chosen = sorted(path for path in folder.rglob("*") if path.is_file())
            count, size = len(chosen), sum(path.stat().st_size for path in chosen) / 2**20
            scan_wall, scan_cpu = _timed([str(Path(sys.executable).with_name("clearsight")), "scan", str(folder), "--db",
                                          str(Path(tmp) / f"{subset}.db"), "--workers", str(args.workers)])
            hma_wall, _ = _pool_times(hma_hash, chosen, args.workers)
            exif_rate = f"{count / _timed([exiftool, '-j', '-r', '-q', str(folder)])[0]:8.1f}" if exiftool else f"{'n/a':>8}"
            floor_wall, floor_cpu = _pool_times(full_decode, chosen, args.workers)
            ours, hma, floor = count / scan_wall, count / hma_wall, count / floor_wall
            print(f"{subset:8} {count:5d} {size:6.0f} | {ours:10.1f} {hma:10.1f} {exif_rate} {floor:8.1f}          | "
                  f"{ours / floor:8.2f}x {ours / hma:5.2f}x |               {1000 * scan_cpu / count:6.1f} {1000 * floor_cpu / count:6.1f} "
                  f"{scan_cpu / floor_cpu:5.2f}", flush=True)
        if not exiftool:
            print("exiftool is not installed (apt install libimage-exiftool-perl): its column is n/a")


def synthetic(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "images"
        folder.mkdir()
        make_corpus(folder, args.images)
        files = sorted(folder.iterdir())
        naive = args.images / time_naive(files, args.workers)
        ours = args.images / time_clearsight(folder, args.workers)
    print(f"images: {args.images} JPEGs of {WIDTH}x{HEIGHT}, workers: {args.workers}")
    print(f"naive (full decode + pdqhash + hashlib):            {naive:8.1f} images/s")
    print(f"clearsight scan (hashes + PDQ + provenance + store): {ours:8.1f} images/s")
    print(f"ratio: {ours / naive:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=["realistic", "synthetic"], default="realistic")
    parser.add_argument("--images", type=int, default=1500, help="synthetic: how many JPEGs")
    parser.add_argument("--camera", type=int, default=24, help="realistic: 12 MP camera JPEGs")
    parser.add_argument("--social", type=int, default=120, help="realistic: social-media JPEGs")
    parser.add_argument("--png", type=int, default=120, help="realistic: generator PNGs")
    parser.add_argument("--webp", type=int, default=90, help="realistic: WebP images")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    (realistic if args.corpus == "realistic" else synthetic)(args)


if __name__ == "__main__":
    main()
