"""How far Clearsight's PDQ is from the network's hasher (python-threatexchange's `PdqSignal`, which
HMA uses: pdqhash on a full Pillow decode), on real photographs, and how long each takes.

Inputs: the public-domain and CC0 sample photographs scikit-image ships inside its wheel (see
`skimage/data/_fetchers.py` for each one's source and licence), each resized to long sides from
64 px to 4,000 px (12 MP at 4:3) and saved as JPEG, PNG and WebP; plus the ThreatExchange PDQ
reference photos of `../shared/reference/` (HMA's own test images). Prints the distribution of
Hamming distances, the share within 8 and 24 bits, the cases that are not identical on the
reference photos, and the time per image of both hashers measured in the same run.

    make bench-pdq          # installs the bench extra (scikit-image)
    .venv/bin/python benchmarks/pdq_agreement.py [--sizes 64,128,...] [--photos astronaut.png,...]
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import skimage
from PIL import Image
from threatexchange.signal_type.pdq.signal import PdqSignal as ReferencePdq

from clearsight.config import Settings
from clearsight.hashing.base import hamming_distance
from clearsight.hashing.pdq import PdqSignal
from clearsight.item import Item, ItemResult

PHOTOS = ("astronaut.png", "brick.png", "camera.png", "chelsea.png", "coffee.png", "coins.png", "grass.png", "gravel.png",
          "hubble_deep_field.jpg", "ihc.png", "moon.png", "motorcycle_left.png", "motorcycle_right.png", "retina.jpg", "rocket.jpg")
"""scikit-image's photographs (its drawings, text pages and test patterns left out)."""
SIZES = (64, 128, 256, 400, 512, 640, 1024, 2048, 4000)
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


def resized(photo: Path, long_side: int) -> Image.Image:
    """The photo with its long side at `long_side` (12 MP at 4000 is stretched to 4:3 as a camera shoots)."""
    image = Image.open(photo)
    image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
    if long_side == 4000:
        return image.resize((4000, 3000), Image.Resampling.LANCZOS)
    scale = long_side / max(image.size)
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS)


def clearsight_pdq(path: Path) -> str:
    item = Item(ItemResult(path=str(path), size=path.stat().st_size, mtime_ns=0), fs_path=str(path))
    return PdqSignal.compute(item, Settings())[0]


def measure(paths: list[Path]) -> tuple[list[int], float, float]:
    """Distances, and seconds spent by Clearsight and by the reference over all paths."""
    distances, ours_seconds, reference_seconds = [], 0.0, 0.0
    for path in paths:
        started = time.perf_counter()
        ours = clearsight_pdq(path)
        ours_seconds += time.perf_counter() - started
        started = time.perf_counter()
        reference = ReferencePdq.hash_from_file(path)
        reference_seconds += time.perf_counter() - started
        distances.append(hamming_distance(ours, reference))
    return distances, ours_seconds, reference_seconds


def report(label: str, distances: list[int], ours: float, reference: float) -> None:
    count = len(distances)
    within8 = sum(d <= 8 for d in distances) / count
    within24 = sum(d <= 24 for d in distances) / count
    histogram = collections.Counter(distances)
    print(f"{label}: {count} images; identical {histogram[0] / count:.1%}, within 8 bits {within8:.1%}, within 24 bits {within24:.1%}, "
          f"max {max(distances)}, mean {np.mean(distances):.2f}")
    print(f"  distances: {', '.join(f'{d}:{n}' for d, n in sorted(histogram.items()))}")
    print(f"  time per image: clearsight {ours / count * 1000:.1f} ms, threatexchange PdqSignal {reference / count * 1000:.1f} ms "
          f"({reference / ours:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--photos", default=",".join(PHOTOS))
    parser.add_argument("--reference", type=Path, default=Path(os.environ.get("CLEARSIGHT_REFERENCE", Path(__file__).parents[2] / "shared" / "reference")))
    args = parser.parse_args()
    data = Path(skimage.__file__).parent / "data"
    sizes = [int(size) for size in args.sizes.split(",")]
    by_case: dict[str, list[int]] = collections.defaultdict(list)
    all_distances: list[int] = []
    ours_total = reference_total = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name in args.photos.split(","):
            for size in sizes:
                image = resized(data / name, size)
                paths = []
                for fmt, suffix in FORMATS.items():
                    path = Path(folder) / f"{Path(name).stem}-{size}{suffix}"
                    image.save(path, format=fmt, quality=90)
                    paths.append(path)
                distances, ours, reference = measure(paths)
                for fmt, distance in zip(FORMATS, distances, strict=True):
                    by_case[f"{fmt} {size}px"].append(distance)
                all_distances += distances
                ours_total += ours
                reference_total += reference
                for path in paths:
                    path.unlink()
    print(f"PDQ agreement with python-threatexchange {version('threatexchange')} PdqSignal (pdqhash {version('pdqhash')} on a full decode)")
    report("scikit-image photos", all_distances, ours_total, reference_total)
    worst = sorted(by_case.items(), key=lambda pair: -max(pair[1]))[:6]
    print("  largest by format and size: " + "; ".join(f"{case} max {max(values)}" for case, values in worst))
    fixtures = sorted((args.reference / "threatexchange" / "pdq").glob("*.jpg"))
    distances, ours, reference = measure(fixtures)
    report("ThreatExchange reference photos (HMA's test images)", distances, ours, reference)
    different = [f"{path.name} {distance}" for path, distance in zip(fixtures, distances, strict=True) if distance]
    print(f"  not identical: {', '.join(different) or 'none'}")


if __name__ == "__main__":
    main()
