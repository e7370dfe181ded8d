"""What sampling video frames costs in recall and saves in time, on the vPDQ reference's own videos.

Inputs: the four sample videos of ThreatExchange's vPDQ and their every-frame reference hashes
(`../shared/reference/threatexchange/vpdq/`). For each sampling rate, every video is hashed by
Clearsight and compared with chair-19-sd-bar, both as the reference hashed it (every frame: what
a bank imported from a vPDQ file holds) and as Clearsight hashed it at the same rate (a bank
filled from scans). Prints the query-match percentage of each video (80% is a match), whether
the verdict agrees with the reference's own (its every-frame hashes compared with each other),
and the seconds to hash the four videos.

    .venv/bin/python benchmarks/vpdq_sampling.py [--rates 0,1,2,5,10]
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from clearsight.banks.video_match import compare
from clearsight.config import Settings
from clearsight.hashing.vpdq import FrameHash, vpdq_frames

FOLDER = Path(os.environ.get("CLEARSIGHT_REFERENCE", Path(__file__).resolve().parents[2] / "shared" / "reference")) / "threatexchange" / "vpdq"
TARGET = "chair-19-sd-bar"


def _hashed(path: Path, fps: float) -> list[list[Any]]:
    frames: list[FrameHash] = []
    vpdq_frames(str(path), replace(Settings(), vpdq_fps=fps), frames)
    return [frame.row() for frame in frames]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="0,1,2,5,10", help="frames per second to sample (0: every frame)")
    args = parser.parse_args()
    names = sorted(path.stem for path in FOLDER.glob("*.mp4"))
    reference = {name: [line.split(",") for line in (FOLDER / f"{name}.txt").read_text().split()] for name in names}
    verdicts = {name: compare(reference[name], reference[TARGET]).is_match() for name in names}
    print("reference (every frame):", ", ".join(f"{name} {compare(reference[name], reference[TARGET]).query_percent:.1f}%" for name in names))
    for fps in (float(rate) for rate in args.rates.split(",")):
        started = time.perf_counter()
        ours = {name: _hashed(FOLDER / f"{name}.mp4", fps) for name in names}
        seconds = time.perf_counter() - started
        for bank, target in (("reference bank", reference[TARGET]), ("bank of own hashes", ours[TARGET])):
            results = {name: compare(ours[name], target) for name in names}
            agree = sum(results[name].is_match() == verdicts[name] for name in names)
            detail = ", ".join(f"{name} {result.query_percent:.1f}%" for name, result in results.items())
            print(f"fps {fps:g} ({'every frame' if fps == 0 else 'sampled'}), {bank}: {agree}/{len(names)} verdicts as the reference's; {detail}")
        print(f"fps {fps:g}: {sum(len(rows) for rows in ours.values())} frames hashed in {seconds:.2f} s")


if __name__ == "__main__":
    main()
