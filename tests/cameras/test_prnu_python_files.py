"""Held against prnu-python (Politecnico di Milano ISPL) on its own test photographs: the same
residual and fingerprint values as it computes, and the camera-identification outcome its example
sets up on real Nikon photographs of the Dresden Image Database (tests/fixtures/prnu_python)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from clearsight.cameras.fingerprint import FingerprintBuilder
from clearsight.cameras.match import Fingerprint, compare
from clearsight.cameras.residual import residual
from tests.peer_files import EXPECTATIONS, peer_folder

FOLDER = peer_folder("prnu_python")
EXPECTED = json.loads((EXPECTATIONS / "prnu_python" / "expected.json").read_text())


def _stored(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path))


def _samples(values: np.ndarray, expected: dict[str, object]) -> None:
    assert float(np.abs(values).mean()) == pytest.approx(expected["mean_abs"], rel=1e-5)
    for place, value in expected["samples"].items():  # type: ignore[attr-defined]
        y, x = map(int, place.split(","))
        assert float(values[y, x]) == pytest.approx(value, abs=1e-4)


def test_the_residual_is_prnu_pythons() -> None:
    height, width = EXPECTED["residual"]["crop"]
    _samples(residual(np.ascontiguousarray(_stored(FOLDER / "prnu1.jpg")[:height, :width])), EXPECTED["residual"])


def test_the_fingerprint_is_prnu_pythons() -> None:
    expected = EXPECTED["fingerprint"]
    height, width = expected["crop"]
    builder = FingerprintBuilder()
    for name in ("prnu1.jpg", "prnu2.jpg"):
        builder.add((_stored(FOLDER / name)[:height, :width] * np.float32(expected["scale"])).astype(np.uint8))
    _samples(builder.fingerprint(), expected)


def test_a_cut_residual_correlates_with_its_whole_as_in_prnu_pythons_test() -> None:
    expected = EXPECTED["crosscorrelation"]
    (height, width), (dy, dx) = expected["crop"], expected["offset"]
    whole = residual(np.ascontiguousarray(_stored(FOLDER / "prnu1.jpg")[:height, :width]))
    cut = whole[dy:, dx:]
    peak = float(np.sum((cut - cut.mean()) * (whole - whole.mean())[dy:, dx:], dtype=np.float64))
    assert peak == pytest.approx(expected["peak"], rel=1e-5)


def test_a_crop_is_found_at_its_offset() -> None:
    height, width = EXPECTED["crosscorrelation"]["crop"]
    dy, dx = EXPECTED["crosscorrelation"]["offset"]
    image = np.ascontiguousarray(_stored(FOLDER / "prnu1.jpg")[:height, :width])
    [test] = compare(np.ascontiguousarray(image[dy:, dx:]), [Fingerprint("prnu1", residual(image))])
    assert test.placement.offset == (dy, dx)


def _centre(path: Path, side: int) -> np.ndarray:
    image = _stored(path)
    top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
    return np.ascontiguousarray(image[top : top + side, left : left + side])


def _device(path: Path) -> str:
    return path.name.rsplit("_", 1)[0]


def test_real_photographs_link_to_their_own_camera_and_to_no_other() -> None:
    expected = EXPECTED["dresden"]
    cameras = []
    for device in sorted({_device(path) for path in (FOLDER / "ff-jpg").glob("*.JPG")}):
        builder = FingerprintBuilder()
        for path in sorted((FOLDER / "ff-jpg").glob(f"{device}_*.JPG")):
            builder.add(_centre(path, expected["crop"]))
        cameras.append(Fingerprint(device, builder.fingerprint()))
    own_highest = matched = 0
    for path in sorted((FOLDER / "nat-jpg").glob("*.JPG")):
        tests = compare(_centre(path, expected["crop"]), cameras)
        own_highest += tests[0].camera == _device(path)
        matched += any(test.camera == _device(path) and test.decision == "match" for test in tests)
        assert all(test.pce < expected["wrong_camera_below"] for test in tests if test.camera != _device(path)), path.name
    assert own_highest == expected["own_camera_highest"]
    assert matched >= expected["matched_at_least"]
