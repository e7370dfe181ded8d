"""Items per second of the scan with the Ray engine on 1 and on 2 CPUs (a local Ray instance each
time), against the local process pool on the same corpus in the same run: benign synthetic
~1 MP JPEGs, scanned into a fresh SQLite database each time.

    python benchmarks/ray_scale.py [--images 10000]

Ray's own start-up (about 5 s on 2 cores) is part of each Ray figure: the default corpus is large
enough for it not to dominate.

Needs the `ray` extra (the test lockfile has it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.media_factory import synthetic_image

COMMAND = [sys.executable, "-m", "clearsight"]


BASES = 64
"""Distinct synthetic pictures; each file is one of them shifted by its number (drawing each file's
own picture would take longer than the scans being measured)."""


def corpus(folder: Path, count: int) -> None:
    bases = [np.asarray(synthetic_image(index, (1280, 800))) for index in range(min(count, BASES))]
    for index in range(count):
        Image.fromarray(np.roll(bases[index % len(bases)], index // len(bases), axis=1)).save(folder / f"{index:05}.jpg", quality=88)


def timed_scan(folder: Path, work: Path, label: str, *options: str) -> tuple[float, int]:
    db = work / f"{label}.db"
    started = time.perf_counter()
    done = subprocess.run([*COMMAND, "scan", str(folder), "--db", str(db), "--format", "jsonl", *options], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    return seconds, sum(1 for line in done.stdout.splitlines() if json.loads(line))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        folder = work / "corpus"
        folder.mkdir()
        corpus(folder, args.images)
        print(f"{args.images} JPEGs of 1280x800; whole command time, Ray start-up included", flush=True)
        rates = {}
        for label, options in (("local, 2 workers", ("--workers", "2")), ("ray, 1 CPU", ("--engine", "ray", "--workers", "1")),
                               ("ray, 2 CPUs", ("--engine", "ray", "--workers", "2"))):
            seconds, items = timed_scan(folder, work, label.replace(" ", "").replace(",", "-"), *options)
            rates[label] = items / seconds
            print(f"  {label:17}: {seconds:6.1f} s  {rates[label]:7.1f} items/s", flush=True)
        print(f"  ray 2 CPUs / ray 1 CPU : {rates['ray, 2 CPUs'] / rates['ray, 1 CPU']:.2f}x")
        print(f"  ray 2 CPUs / local 2   : {rates['ray, 2 CPUs'] / rates['local, 2 workers']:.2f}x")


if __name__ == "__main__":
    Image.MAX_IMAGE_PIXELS = None
    main()
