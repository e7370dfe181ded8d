"""PDQ matches the reference implementation, and the fast decode recipe matches a full decode."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from PIL import Image, ImageOps

from clearsight.config import Settings
from clearsight.hashing.base import hamming_distance
from clearsight.hashing.pdq import PdqSignal
from clearsight.hashing.pdq_numpy import bits_to_hex, pdq_dihedral_from_luma, pdq_from_luma
from clearsight.item import Item, ItemResult
from clearsight.media.image import target_size
from tests.media_factory import image_bytes


def pdq_of_file(path: Path) -> tuple[str, int]:
    item = Item(ItemResult(path=str(path), size=path.stat().st_size, mtime_ns=0), fs_path=str(path))
    value, quality = PdqSignal.compute(item, Settings())
    assert quality is not None
    return value, quality


def pdq_of_bytes(data: bytes) -> str:
    return PdqSignal.compute(Item(ItemResult(path="x", size=len(data), mtime_ns=0), data=data), Settings())[0]


def pdqhash_hex(rgb: np.ndarray) -> str:
    """The `pdqhash` bindings (the reference C++ code) as an independent baseline."""
    bits, _ = pdqhash.compute(rgb)
    return bits_to_hex(bits[::-1])


def full_decode_then_resize(data: bytes) -> str:
    """The slow baseline: full RGB decode, orientation, bilinear resize to 512, RGB into PDQ."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    target = target_size(image.size, 512)
    if target:
        image = image.resize(target, Image.Resampling.BILINEAR)
    return pdqhash_hex(np.asarray(image))


def test_reference_images_hash_within_10_bits_of_the_reference_implementation(reference: Path) -> None:
    folder = reference / "pdq"
    with open(folder / "expected.csv", encoding="utf-8-sig") as table:
        rows = list(csv.DictReader(table))
    assert len(rows) >= 8
    for row in rows:
        value, quality = pdq_of_file(folder / row["file"])
        assert hamming_distance(value, row["pdq_hex"]) <= 10, row["file"]
        assert quality >= 50


def test_every_modified_bridge_matches_the_original_within_31_bits(reference: Path) -> None:
    folder = reference / "pdq"
    original, _ = pdq_of_file(folder / "bridge-mods__aaa-orig.jpg")
    modified = sorted(folder.glob("bridge-mods__*.jpg"))
    assert len(modified) >= 10
    for path in modified:
        assert hamming_distance(pdq_of_file(path)[0], original) <= 31, path.name


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("size", [(1152, 864), (2400, 1600), (900, 1400), (400, 300)])
def test_reduced_decode_stays_within_2_bits_of_full_decode_then_resize(fmt: str, size: tuple[int, int]) -> None:
    for seed in range(3):
        data = image_bytes(fmt, seed=seed, size=size)
        assert hamming_distance(pdq_of_bytes(data), full_decode_then_resize(data)) <= 2


def test_reference_photos_reduced_decode_stays_within_2_bits(reference: Path) -> None:
    for path in sorted((reference / "pdq").glob("*.jpg")):
        data = path.read_bytes()
        assert hamming_distance(pdq_of_bytes(data), full_decode_then_resize(data)) <= 2, path.name


def test_exif_orientation_is_applied_before_hashing() -> None:
    upright = Image.open(io.BytesIO(image_bytes("JPEG", seed=4, size=(640, 480))))
    stored_sideways = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise, which undoes ROTATE_90
    buffer = io.BytesIO()
    stored_sideways.save(buffer, format="JPEG", exif=exif, quality=95)
    plain = io.BytesIO()
    upright.save(plain, format="JPEG", quality=95)
    assert hamming_distance(pdq_of_bytes(buffer.getvalue()), pdq_of_bytes(plain.getvalue())) <= 4


@pytest.mark.parametrize("size", [(512, 384), (384, 512), (300, 200), (1152, 864), (64, 64), (130, 700), (6, 6)])
def test_the_numpy_pdq_equals_the_reference_code_bit_for_bit(size: tuple[int, int]) -> None:
    for seed in range(4):
        luma = np.asarray(Image.open(io.BytesIO(image_bytes("PNG", seed=seed, size=size))).convert("L"))
        bits, quality = pdq_from_luma(luma)
        reference_bits, reference_quality = pdqhash.compute(np.dstack([luma] * 3))
        assert bits_to_hex(bits) == bits_to_hex(reference_bits[::-1])
        assert abs(quality - reference_quality) <= 1, "quality may differ by float rounding of the gradients"
        assert reference_bits.sum() == bits.sum()


def test_a_flat_image_has_quality_zero() -> None:
    assert pdq_from_luma(np.full((200, 300), 128, np.uint8))[1] == 0


def test_an_image_too_small_to_hash_has_an_empty_hash() -> None:
    bits, quality = pdq_from_luma(np.zeros((4, 40), np.uint8))
    assert quality == 0 and not bits.any()


DIHEDRAL_TRANSPOSES = {
    "flip_x": Image.Transpose.FLIP_LEFT_RIGHT,
    "flip_y": Image.Transpose.FLIP_TOP_BOTTOM,
    "rotate90": Image.Transpose.ROTATE_270,  # Pillow turns counter-clockwise; ours are clockwise
    "rotate180": Image.Transpose.ROTATE_180,
    "rotate270": Image.Transpose.ROTATE_90,
    "transpose": Image.Transpose.TRANSPOSE,
    "transverse": Image.Transpose.TRANSVERSE,
}


@pytest.mark.parametrize("name", sorted(DIHEDRAL_TRANSPOSES))
def test_each_dihedral_pdq_is_the_pdq_of_the_transformed_image(name: str) -> None:
    image = Image.open(io.BytesIO(image_bytes("PNG", seed=12, size=(300, 200)))).convert("L")
    variants, quality = pdq_dihedral_from_luma(np.asarray(image))
    transformed, transformed_quality = pdq_from_luma(np.asarray(image.transpose(DIHEDRAL_TRANSPOSES[name])))
    # Within the matching distance, not bit-exact: PDQ samples its 64x64 grid at pixel positions
    # that are not symmetric for every image size, exactly as the reference implementation does.
    assert int((variants[name] != transformed).sum()) <= 31
    assert int((variants["original"] != transformed).sum()) > 64
    assert (variants["original"] == pdq_from_luma(np.asarray(image))[0]).all()
    assert abs(quality - transformed_quality) <= 2
