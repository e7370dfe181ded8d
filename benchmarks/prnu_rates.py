"""Sensor-fingerprint (PRNU) error rates and speed: false-match and miss rates over thousands of
image-camera pairs at the threshold `clearsight cameras match` uses, and fingerprinting and matching
speed per core at 1 MP and 12 MP.

The cameras are simulated (tests/camera_factory.py): a fixed per-pixel gain pattern per camera,
drawn weak (standard deviation 0.2% to 0.4%, where real sensors are often stronger), shot noise of
3 to 4 grey levels, each camera's 20 reference photos of different synthetic scenes at JPEG quality
90, and test photos of other scenes at qualities 75 to 95, a third of them cropped by up to 10% on
each side, a sixth turned a quarter turn. Impostor pairs test every camera's photos against every
other camera, and photos of cameras nobody fingerprinted against all of them.

If prnu-python's test photographs are at $CLEARSIGHT_PEER_FILES/prnu_python (tests/fixtures/
prnu_python), the same figures are printed for its real Nikon photographs too.

    .venv/bin/python benchmarks/prnu_rates.py [--cameras 10] [--tests 20]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clearsight.cameras.fingerprint import FingerprintBuilder
from clearsight.cameras.match import Fingerprint, Probe, compare
from tests.camera_factory import photo, pixels_of

ONE_MP = (1152, 864)
TWELVE_MP = (4000, 3000)
REFERENCE_PHOTOS = 20


def strength(camera: int) -> float:
    return 0.002 + 0.002 * ((camera * 7919) % 11) / 10


def noise(camera: int) -> float:
    return 3.0 + (camera % 3) / 2


def fingerprint(camera: int) -> np.ndarray:
    builder = FingerprintBuilder()
    for seed in range(REFERENCE_PHOTOS):
        builder.add(pixels_of(photo(camera, 10_000 * camera + seed, ONE_MP, quality=90, strength=strength(camera), noise=noise(camera))))
    return builder.fingerprint()


def test_image(camera: int, index: int) -> np.ndarray:
    """Test photo `index` of `camera`, encoded, cropped and turned as the module docstring says."""
    rng = np.random.default_rng(camera * 1_000 + index)
    image = pixels_of(photo(camera, 500_000 + 1_000 * camera + index, ONE_MP, quality=int(rng.integers(75, 96)), strength=strength(camera),
                            noise=noise(camera)))
    if index % 3 == 1:
        height, width = image.shape[:2]
        top, bottom, left, right = (int(rng.integers(0, side // 10 + 1)) for side in (height, height, width, width))
        image = image[top : height - bottom, left : width - right]
    if index % 6 == 2:
        image = np.rot90(image)
    return np.ascontiguousarray(image)


_CAMERAS: list[Fingerprint] = []


def _init(patterns: list[tuple[str, np.ndarray]]) -> None:
    _CAMERAS.extend(Fingerprint(name, pattern) for name, pattern in patterns)


def _tests(job: tuple[int, int]) -> list[tuple[str, str, float, str]]:
    """(true camera, tested camera, PCE, decision) of one test photo against every camera."""
    camera, index = job
    return [(f"camera {camera}", test.camera, test.pce, test.decision) for test in compare(test_image(camera, index), _CAMERAS)]


def rates(pairs: list[tuple[str, str, float, str]], fingerprinted: set[str]) -> None:
    genuine = [pair for pair in pairs if pair[0] == pair[1]]
    impostor = [pair for pair in pairs if pair[0] != pair[1]]
    misses = [pair for pair in genuine if pair[3] != "match"]
    false = [pair for pair in impostor if pair[3] == "match"]
    unknown = sum(pair[0] not in fingerprinted for pair in impostor)
    print(f"pairs: {len(pairs):,} ({len(genuine):,} genuine, {len(impostor):,} impostor, {unknown:,} of them from unfingerprinted cameras)")
    print(f"false matches: {len(false)} of {len(impostor):,} ({len(false) / max(len(impostor), 1):.4%}); "
          f"highest impostor PCE {max((pair[2] for pair in impostor), default=0):.1f}")
    print(f"misses: {len(misses)} of {len(genuine):,} ({len(misses) / max(len(genuine), 1):.2%}); "
          f"genuine PCE median {np.median([pair[2] for pair in genuine]):,.0f}, lowest {min(pair[2] for pair in genuine):,.1f}")


def synthetic(cameras: int, tests: int) -> None:
    started = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        patterns = list(pool.map(fingerprint, range(1, cameras + 1)))
    print(f"{cameras} fingerprints from {REFERENCE_PHOTOS} photos each at 1 MP: {time.perf_counter() - started:.1f} s")
    named = [(f"camera {number}", pattern) for number, pattern in enumerate(patterns, start=1)]
    jobs = [(camera, index) for camera in range(1, cameras + 1) for index in range(tests)]
    jobs += [(camera, index) for camera in range(cameras + 1, cameras + 1 + cameras // 2) for index in range(tests // 2)]
    started = time.perf_counter()
    with ProcessPoolExecutor(2, initializer=_init, initargs=(named,)) as pool:
        pairs = [pair for found in pool.map(_tests, jobs, chunksize=4) for pair in found]
    print(f"{len(jobs)} test photos against {cameras} cameras: {time.perf_counter() - started:.1f} s on 2 processes")
    rates(pairs, {name for name, _ in named})


def speed() -> None:
    """Per core: reference photos added to a fingerprint, and images tested against one camera."""
    for label, size, count in (("1 MP", ONE_MP, 6), ("12 MP", TWELVE_MP, 2)):
        images = [pixels_of(photo(1, seed, size, quality=90, strength=0.003, noise=3.0)) for seed in range(count)]
        builder = FingerprintBuilder()
        started = time.perf_counter()
        for image in images:
            builder.add(image)
        fingerprinting = count / (time.perf_counter() - started)
        camera = Fingerprint("camera", builder.fingerprint())
        camera.spectrum  # noqa: B018 - computed once per process in real use, not per image
        started = time.perf_counter()
        for image in images:
            camera.test(Probe.of(image))
        matching = count / (time.perf_counter() - started)
        print(f"{label}: fingerprinting {fingerprinting:.2f} photos/s per core, matching {matching:.2f} images/s per core against one camera")


def dresden(folder: Path) -> None:
    """The real Nikon photographs of prnu-python's tests, at 1024 x 1024 centre crops."""
    from PIL import Image

    def centre(path: Path) -> np.ndarray:
        image = np.asarray(Image.open(path))
        top, left = (image.shape[0] - 1024) // 2, (image.shape[1] - 1024) // 2
        return np.ascontiguousarray(image[top : top + 1024, left : left + 1024])

    device = {path: path.name.rsplit("_", 1)[0] for path in (folder / "ff-jpg").glob("*.JPG")}
    cameras = []
    for name in sorted(set(device.values())):
        builder = FingerprintBuilder()
        for path in sorted(path for path, owner in device.items() if owner == name):
            builder.add(centre(path))
        cameras.append(Fingerprint(name, builder.fingerprint()))
    pairs = [(path.name.rsplit("_", 1)[0], test.camera, test.pce, test.decision)
             for path in sorted((folder / "nat-jpg").glob("*.JPG")) for test in compare(centre(path), cameras)]
    print(f"prnu-python's Dresden photographs ({len(cameras)} Nikon cameras, flat-field fingerprints, natural photos):")
    rates(pairs, {camera.name for camera in cameras})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cameras", type=int, default=10)
    parser.add_argument("--tests", type=int, default=20, help="test photos per fingerprinted camera")
    args = parser.parse_args()
    synthetic(args.cameras, args.tests)
    speed()
    peer = Path(os.environ.get("CLEARSIGHT_PEER_FILES", Path(__file__).resolve().parents[2] / "peer-files")) / "prnu_python"
    if peer.is_dir():
        dresden(peer)
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
