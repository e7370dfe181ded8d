"""PDQ is the network's: the hash python-threatexchange's `PdqSignal` (HMA's hasher) computes for
the same file, bit for bit, and the numpy PDQ equals the reference C++ code."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from PIL import Image
from threatexchange.signal_type.pdq.signal import PdqSignal as NetworkPdq

from clearsight.config import Settings
from clearsight.hashing.base import hamming_distance
from clearsight.hashing.pdq import PdqSignal
from clearsight.hashing.pdq_numpy import bits_to_hex, downsampled, pdq_dihedral_from_block, pdq_from_luma
from clearsight.item import Item, ItemResult
from tests.media_factory import image_bytes


def pdq_of_file(path: Path) -> tuple[str, int]:
    item = Item(ItemResult(path=str(path), size=path.stat().st_size, mtime_ns=0), fs_path=str(path))
    value, quality = PdqSignal.compute(item, Settings())
    assert quality is not None
    return value, quality


def hashed(data: bytes) -> Item:
    item = Item(ItemResult(path="x", size=len(data), mtime_ns=0, mime="image/png"), data=data)
    item.result.hashes["pdq"] = PdqSignal.compute(item, Settings())[0]
    return item


def network_pdq(data: bytes) -> str:
    """HMA's hash of these bytes (python-threatexchange 1.2, pdqhash on Pillow's full decode)."""
    return NetworkPdq.hash_from_bytes(data)


def test_hmas_own_test_images_hash_exactly_as_hma_does(reference: Path) -> None:
    for path in sorted((reference / "pdq").glob("*.jpg")):
        assert pdq_of_file(path)[0] == network_pdq(path.read_bytes()), path.name


def test_reference_images_hash_within_10_bits_of_the_reference_vectors(reference: Path) -> None:
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
@pytest.mark.parametrize("size", [(64, 48), (300, 200), (400, 300), (511, 700), (1152, 864), (2400, 1600)])
def test_every_size_hashes_as_hma_does_never_upscaled_nor_reduced(fmt: str, size: tuple[int, int]) -> None:
    for seed in range(2):
        data = image_bytes(fmt, seed=seed, size=size)
        assert hashed(data).result.hashes["pdq"] == network_pdq(data)


@pytest.mark.parametrize("mode", ["L", "RGBA", "LA"])
def test_greyscale_and_alpha_images_hash_as_hma_does(mode: str) -> None:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(image_bytes("PNG", seed=3, size=(320, 240)))).convert(mode).save(buffer, format="PNG")
    assert hashed(buffer.getvalue()).result.hashes["pdq"] == network_pdq(buffer.getvalue())


def test_palette_images_hash_their_colours_not_their_palette_indexes() -> None:
    """Where HMA hashes raw palette indexes (its array of a `P` image), the colours are hashed,
    as the C++ reference and every viewer show them: the same picture as RGB gives the same PDQ."""
    rgb = Image.open(io.BytesIO(image_bytes("PNG", seed=5, size=(320, 240)))).quantize(64).convert("RGB")
    as_rgb, as_palette = io.BytesIO(), io.BytesIO()
    rgb.save(as_rgb, format="PNG")
    rgb.quantize(64).save(as_palette, format="PNG")
    assert Image.open(as_palette).mode == "P"
    assert hamming_distance(hashed(as_palette.getvalue()).result.hashes["pdq"], network_pdq(as_rgb.getvalue())) <= 2


@pytest.mark.parametrize(("orientation", "turn", "name"), [(6, Image.Transpose.ROTATE_270, "rotate90"), (8, Image.Transpose.ROTATE_90, "rotate270"),
                                                          (3, Image.Transpose.ROTATE_180, "rotate180"), (2, Image.Transpose.FLIP_LEFT_RIGHT, "flip_x")])
def test_stored_pixels_are_hashed_and_the_upright_picture_is_a_variant(orientation: int, turn: Image.Transpose, name: str) -> None:
    """HMA hashes the stored pixels whatever the EXIF orientation says; a platform that baked the
    rotation in shares the upright picture's hash, which the orientation's variant matches."""
    stored = Image.open(io.BytesIO(image_bytes("JPEG", seed=4, size=(640, 480))))
    exif = Image.Exif()
    exif[0x0112] = orientation
    oriented, upright = io.BytesIO(), io.BytesIO()
    stored.save(oriented, format="JPEG", exif=exif, quality=95)
    stored.transpose(turn).save(upright, format="JPEG", quality=95)
    item = hashed(oriented.getvalue())
    assert item.result.hashes["pdq"] == network_pdq(oriented.getvalue())
    assert set(item.result.variants["pdq"]) == {"original", name}
    assert hamming_distance(item.result.variants["pdq"][name], network_pdq(upright.getvalue())) <= 31
    assert hamming_distance(item.result.hashes["pdq"], network_pdq(upright.getvalue())) > 31


def test_an_upright_image_has_no_variants() -> None:
    assert hashed(image_bytes("JPEG", seed=4, size=(640, 480))).result.variants == {}


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
    variants, quality = pdq_dihedral_from_block(downsampled([np.asarray(image)], image.height, image.width))
    transformed, transformed_quality = pdq_from_luma(np.asarray(image.transpose(DIHEDRAL_TRANSPOSES[name])))
    # Within the matching distance, not bit-exact: PDQ samples its 64x64 grid at pixel positions
    # that are not symmetric for every image size, exactly as the reference implementation does.
    assert int((variants[name] != transformed).sum()) <= 31
    assert int((variants["original"] != transformed).sum()) > 64
    assert (variants["original"] == pdq_from_luma(np.asarray(image))[0]).all()
    assert abs(quality - transformed_quality) <= 2
