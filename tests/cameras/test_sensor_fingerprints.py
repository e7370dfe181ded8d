"""Sensor fingerprints link an image to the simulated camera that took it: through a crop and a
right-angle turn, never to another camera, and never an image from an unknown camera."""

from __future__ import annotations

import numpy as np
import pytest

from clearsight.cameras.fingerprint import FingerprintBuilder
from clearsight.cameras.match import MIN_PCE, Fingerprint, compare, threshold
from tests.camera_factory import photo, pixels_of

SIZE = (512, 384)
REFERENCE_PHOTOS = 12


@pytest.fixture(scope="module")
def cameras() -> list[Fingerprint]:
    found = []
    for camera in (1, 2):
        builder = FingerprintBuilder()
        for seed in range(REFERENCE_PHOTOS):
            builder.add(pixels_of(photo(camera, 1_000 * camera + seed, SIZE)))
        found.append(Fingerprint(f"camera {camera}", builder.fingerprint()))
    return found


def _links(image: np.ndarray, cameras: list[Fingerprint]) -> dict[str, float]:
    return {test.camera: test.pce for test in compare(np.ascontiguousarray(image), cameras) if test.decision == "match"}


def test_an_image_links_to_the_camera_that_took_it_and_to_no_other(cameras: list[Fingerprint]) -> None:
    links = _links(pixels_of(photo(1, 77, SIZE)), cameras)
    assert list(links) == ["camera 1"]
    assert links["camera 1"] > 10 * MIN_PCE


def test_a_crop_of_up_to_ten_percent_still_links(cameras: list[Fingerprint]) -> None:
    image = pixels_of(photo(2, 78, SIZE))
    height, width = image.shape[:2]
    cropped = image[height // 20 : height - height // 20, width // 25 : width - width // 16]
    assert list(_links(cropped, cameras)) == ["camera 2"]
    [test] = [test for test in compare(np.ascontiguousarray(cropped), cameras) if test.camera == "camera 2"]
    assert test.placement.offset == (height // 20, width // 25)


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_turned_image_links(cameras: list[Fingerprint], turns: int) -> None:
    assert list(_links(np.rot90(pixels_of(photo(1, 79, SIZE)), turns), cameras)) == ["camera 1"]


def test_an_image_from_neither_camera_links_to_nothing(cameras: list[Fingerprint]) -> None:
    for seed in range(3):
        assert _links(pixels_of(photo(None, 80 + seed, SIZE)), cameras) == {}
        assert _links(pixels_of(photo(3, 90 + seed, SIZE)), cameras) == {}


def test_an_image_larger_than_the_sensor_is_not_compared(cameras: list[Fingerprint]) -> None:
    assert compare(pixels_of(photo(1, 81, (640, 480))), cameras) == []


def test_the_threshold_grows_with_the_placements_searched_and_never_falls_below_60() -> None:
    assert threshold(1) == MIN_PCE
    assert threshold(10**9, false_match_rate=1e-9) > threshold(10**6, false_match_rate=1e-9) > MIN_PCE
    assert threshold(10**6, false_match_rate=1e-12) > threshold(10**6, false_match_rate=1e-9)


def test_a_reference_photo_of_another_size_is_refused() -> None:
    builder = FingerprintBuilder()
    builder.add(pixels_of(photo(1, 1, SIZE)))
    with pytest.raises(ValueError, match="other photos"):
        builder.add(pixels_of(photo(1, 2, (SIZE[1], SIZE[0]))))
