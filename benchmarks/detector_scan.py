"""A detector inside a scan: images/s of `clearsight scan` with and without a small convolutional
ONNX detector enabled, on the same images, 2 workers; and the detector alone in this process.

The model is built here with the `onnx` package's helpers (random weights: its scores mean
nothing, its cost is what is measured): three 3x3 convolutions with ReLU (3->16->32->64 channels,
stride 2) at 224x224, global average pooling and a linear layer with a sigmoid, about the shape
of a small mobile classifier's stem. Images are 1-2 MP textured PNGs and JPEGs.

    .venv/bin/python benchmarks/detector_scan.py [--images 300] [--workers 2]

Needs the `detectors` extra (onnxruntime) and `onnx` (in the test extra).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

from clearsight.detectors.card import parse_card
from clearsight.detectors.runtime import load

SIDE = 224
CHANNELS = (3, 16, 32, 64)


def model() -> bytes:
    rng = np.random.default_rng(1)
    nodes, initializers, previous = [], [], "image"
    for number, (inputs, outputs) in enumerate(pairwise(CHANNELS)):
        weight = numpy_helper.from_array((rng.standard_normal((outputs, inputs, 3, 3)) * 0.1).astype(np.float32), f"w{number}")
        bias = numpy_helper.from_array(np.zeros(outputs, np.float32), f"b{number}")
        initializers += [weight, bias]
        nodes += [helper.make_node("Conv", [previous, f"w{number}", f"b{number}"], [f"c{number}"], strides=[2, 2], pads=[1, 1, 1, 1]),
                  helper.make_node("Relu", [f"c{number}"], [f"r{number}"])]
        previous = f"r{number}"
    initializers += [numpy_helper.from_array((rng.standard_normal((CHANNELS[-1], 1)) * 0.1).astype(np.float32), "fc"),
                     numpy_helper.from_array(np.zeros(1, np.float32), "fcb")]
    nodes += [helper.make_node("GlobalAveragePool", [previous], ["pooled"]), helper.make_node("Flatten", ["pooled"], ["flat"]),
              helper.make_node("Gemm", ["flat", "fc", "fcb"], ["logit"]), helper.make_node("Sigmoid", ["logit"], ["score"])]
    graph = helper.make_graph(nodes, "bench", [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, SIDE, SIDE])],
                              [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N", 1])], initializer=initializers)
    built = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    built.ir_version = 8
    onnx.checker.check_model(built)
    return built.SerializeToString()


CARD = {"name": "Benchmark CNN (random weights)", "version": "0", "licence": "CC0-1.0", "input": {"width": SIDE, "height": SIDE},
        "resize": "shorter_side", "crop": "center", "normalisation": {"scale": 255, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
        "output": {"meaning": "probability_ai", "index": 0}, "threshold": 0.5}


def images(folder: Path, count: int) -> list[Image.Image]:
    """Textured pictures (smooth gradients plus noise), alternately PNG and JPEG, 1-2 MP."""
    rng = np.random.default_rng(2)
    pictures = []
    for number in range(count):
        width, height = (1600, 1000) if number % 2 else (1200, 900)
        y, x = np.mgrid[0:height, 0:width]
        base = np.stack([(x * (number % 7 + 1)) % 256, (y * (number % 5 + 1)) % 256, (x + y) % 256], axis=-1).astype(np.float32)
        pixels = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
        picture = Image.fromarray(pixels)
        picture.save(folder / f"{number:04d}.{'png' if number % 2 else 'jpg'}", quality=90)
        pictures.append(picture)
    return pictures


def _scan(folder: Path, db: Path, workers: int) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "clearsight", "scan", str(folder), "--db", str(db), "--workers", str(workers), "--format", "jsonl",
                    "--out", str(db.with_suffix(".jsonl"))], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        folder = root / "images"
        folder.mkdir()
        pictures = images(folder, options.images)
        (root / "model.onnx").write_bytes(model())
        (root / "card.json").write_text(json.dumps(CARD))
        detector = load((root / "model.onnx").read_bytes(), parse_card(json.dumps(CARD)))
        started = time.perf_counter()
        for picture in pictures:
            detector.scores([picture])
        alone = len(pictures) / (time.perf_counter() - started)
        plain = _scan(folder, root / "plain.db", options.workers)
        with_db = root / "detector.db"
        subprocess.run([sys.executable, "-m", "clearsight", "detectors", "add", "bench", str(root / "model.onnx"), "--card", str(root / "card.json"),
                        "--db", str(with_db)], check=True, capture_output=True)
        detected = _scan(folder, with_db, options.workers)
        lines = with_db.with_suffix(".jsonl").read_text().splitlines()
        scored = sum(any(evidence["source"] == "detector" and "score" in evidence["claims"] for evidence in json.loads(line)["provenance"]["evidence"])
                     for line in lines)
    print(f"{options.images} images (1-2 MP PNG and JPEG), {options.workers} workers; detector: 3 conv layers at {SIDE}x{SIDE}")
    print(f"detector alone, 1 thread, preprocessing included: {alone:.1f} images/s")
    print(f"scan without a detector: {options.images / plain:.1f} images/s ({plain:.1f} s)")
    print(f"scan with the detector:  {options.images / detected:.1f} images/s ({detected:.1f} s), {scored} images scored")
    print(f"slowdown with the detector: {detected / plain:.2f}x the time")


if __name__ == "__main__":
    main()
