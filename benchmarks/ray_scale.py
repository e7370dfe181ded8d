"""Items per second of the scan with the Ray engine on 1 and on 2 CPUs (a local Ray instance each
time), against the local process pool on the same corpus in the same run: benign synthetic
~1 MP JPEGs, scanned into a fresh SQLite database each time.

    python benchmarks/ray_scale.py [--images 600]

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

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.media_factory import synthetic_image

COMMAND = [sys.executable, "-m", "clearsight"]


def corpus(folder: Path, count: int) -> None:
    for index in range(count):
        synthetic_image(index, (1280, 800)).save(folder / f"{index:05}.jpg", quality=88)


def timed_scan(folder: Path, work: Path, label: str, *options: str) -> tuple[float, int]:
    db = work / f"{label}.db"
    started = time.perf_counter()
    done = subprocess.run([*COMMAND, "scan", str(folder), "--db", str(db), "--format", "jsonl", *options], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    return seconds, sum(1 for line in done.stdout.splitlines() if json.loads(line))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        folder = work / "corpus"
        folder.mkdir()
        corpus(folder, args.images)
        print(f"{args.images} JPEGs of 1280x800; whole command time, Ray start-up included")
        rates = {}
        for label, options in (("local, 2 workers", ("--workers", "2")), ("ray, 1 CPU", ("--engine", "ray", "--workers", "1")),
                               ("ray, 2 CPUs", ("--engine", "ray", "--workers", "2"))):
            seconds, items = timed_scan(folder, work, label.replace(" ", "").replace(",", "-"), *options)
            rates[label] = items / seconds
            print(f"  {label:17}: {seconds:6.1f} s  {rates[label]:7.1f} items/s")
        print(f"  ray 2 CPUs / ray 1 CPU : {rates['ray, 2 CPUs'] / rates['ray, 1 CPU']:.2f}x")
        print(f"  ray 2 CPUs / local 2   : {rates['ray, 2 CPUs'] / rates['local, 2 workers']:.2f}x")


if __name__ == "__main__":
    Image.MAX_IMAGE_PIXELS = None
    main()
