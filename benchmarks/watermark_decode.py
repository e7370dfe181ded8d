"""Seconds per image to look for the four dwtDct watermarks (SD 1.x, SD 2.x, SDXL, FLUX) in both
channel orders: Clearsight's numpy decoder against the `invisible-watermark` library itself, on
the same benign synthetic textures (smoothed noise, as the fixtures), in one run; it also checks that every decoded bit agrees.
Then it stamps each message with the library, as each tool does, into further images of the
same size and counts how many `watermark.detect` finds (it screens a strip of large images
first), and how often unmarked images pass that screen.

    make bench-watermark        (installs opencv, pywavelets and invisible-watermark --no-deps)
    .venv/bin/python benchmarks/watermark_decode.py [--images 40] [--size 1024]
"""

from __future__ import annotations

import argparse
import sys
import time
import types
from pathlib import Path

import numpy as np

from clearsight.provenance import watermark

sys.modules.setdefault("torch", types.ModuleType("torch"))  # imported by the library's RivaGAN method only
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from imwatermark import WatermarkDecoder

from tests.fixtures.watermarks.make_fixtures import FLUX, SDXL, float_pipeline, sd_script, texture

STAMPS = {
    "StableDiffusionV1": lambda rgb: sd_script(rgb, b"StableDiffusionV1"),
    "SDV2": lambda rgb: sd_script(rgb, b"SDV2"),
    "SDXL": lambda rgb: float_pipeline(rgb, SDXL, reverse=False),
    "FLUX": lambda rgb: float_pipeline(rgb, FLUX, reverse=True),
}


def library_bits(rgb: np.ndarray) -> dict[tuple[str, int], list[int]]:
    """What the library decodes, per channel order and message length (one full decode each)."""
    out = {}
    for order, image in (("bgr", np.ascontiguousarray(rgb[..., ::-1])), ("rgb", rgb)):
        for message in watermark.MESSAGES:
            length = len(message.bits)
            out[(order, length)] = [int(bit) for bit in WatermarkDecoder("bits", length).decode(image, "dwtDct")]
    return out


def our_bits(rgb: np.ndarray) -> dict[tuple[str, int], list[int]]:
    """The same, the way `watermark.detect` works: one U plane and block pass per order."""
    out = {}
    for order, plane in watermark.u_planes(rgb).items():
        per_block = watermark.block_bits(plane)
        for message in watermark.MESSAGES:
            out[(order, len(message.bits))] = watermark.decode_bits(per_block, len(message.bits)).astype(int).tolist()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=40)
    parser.add_argument("--size", type=int, default=1024)
    args = parser.parse_args()
    images = [texture(seed, (args.size, args.size)) for seed in range(args.images)]
    timings = {}
    results = {}
    for name, decode in (("invisible-watermark", library_bits), ("clearsight", our_bits)):
        started = time.perf_counter()
        results[name] = [decode(image) for image in images]
        timings[name] = (time.perf_counter() - started) / len(images)
    agree = results["invisible-watermark"] == results["clearsight"]
    print(f"images: {args.images} of {args.size}x{args.size}; 4 messages x 2 channel orders each")
    print(f"invisible-watermark 0.2.0: {timings['invisible-watermark'] * 1000:8.1f} ms/image")
    print(f"clearsight:                {timings['clearsight'] * 1000:8.1f} ms/image")
    print(f"speed-up: {timings['invisible-watermark'] / timings['clearsight']:.1f}x; every decoded bit equal: {agree}")
    found = {name: 0 for name in STAMPS}
    for seed, image in enumerate(images):
        for name, stamp in STAMPS.items():
            marked = np.ascontiguousarray(stamp(texture(1000 + seed, (args.size, args.size))))
            found[name] += any(d.message.name == name for d in watermark.detect(marked))
    screened = sum(watermark.passes_screen(image) for image in images)
    print("stamped with the library and detected: " + ", ".join(f"{name} {count}/{args.images}" for name, count in found.items()))
    print(f"unmarked images passing the screen (then decoded whole): {screened}/{args.images}")
    if not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
