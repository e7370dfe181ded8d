"""Images per second of `clearsight scan` against the naive approach, on the same files, in one run.

The naive approach is what a script would do: for each file, read it, MD5/SHA-1/SHA-256 it,
decode the full image with Pillow and hash that with pdqhash, on a 2-process pool. Clearsight
does the same work plus identification, provenance (metadata readers, and a full decode for the
watermark decoder) and the case database (reduced JPEG decode for PDQ, one read).

    .venv/bin/python benchmarks/scan_throughput.py [--images 1500] [--workers 2]
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image

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
    db = folder.parent / "bench.db"
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("clearsight")), "scan", str(folder), "--db", str(db), "--workers", str(workers)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
