"""An image's pixels are decoded once for every stage that reads them (PDQ, invisible watermarks,
stealth metadata), and the records are what separate decodes gave."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import ImageFile

from clearsight.config import Settings
from clearsight.demo.corpus import synthetic_image
from clearsight.pipeline.process import process_bytes
from tests.media_factory import image_bytes

FORMATS = ["PNG", "WEBP", "JPEG"]


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The formats of every pixel decode Pillow runs (a load with tiles still to decode)."""
    seen: list[str] = []
    load = ImageFile.ImageFile.load

    def counted(image: ImageFile.ImageFile) -> object:
        if image.tile:
            seen.append(image.format or "")
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    yield seen


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_image_read_by_pdq_watermarks_and_stealth_readers_is_decoded_once(fmt: str, decodes: list[str]) -> None:
    (result,) = process_bytes(f"picture.{fmt.lower()}", image_bytes(fmt, size=(640, 480)), Settings())
    assert not result.errors and "pdq" in result.hashes and result.provenance is not None
    assert decodes == [fmt]


def test_greyscale_pixels_are_shared_with_the_readers_as_rgb(decodes: list[str]) -> None:
    grey = io.BytesIO()
    synthetic_image(1, (640, 480)).convert("L").save(grey, format="PNG")
    (result,) = process_bytes("grey.png", grey.getvalue(), Settings())
    assert decodes == ["PNG"]
    assert result.provenance is not None and not result.errors
