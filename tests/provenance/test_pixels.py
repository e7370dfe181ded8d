"""Signals in the pixels: stealth LSB metadata and invisible dwtDct watermarks."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import pywt
from PIL import Image

from clearsight.provenance import watermark
from clearsight.provenance.evidence import Strength
from tests.media_factory import image_bytes
from tests.provenance_factory import FIXTURES, INFOTEXT, png, sources, stealth_write, verdict_of

WATERMARKS = FIXTURES / "watermarks"
EXPECTED = json.loads((WATERMARKS / "expected.json").read_text())


def _rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


@pytest.mark.parametrize(("channel", "compressed"), [("alpha", True), ("alpha", False), ("rgb", True), ("rgb", False)])
def test_stealth_infotext_is_found_in_every_layout(channel: str, compressed: bool) -> None:
    image = stealth_write(Image.open(io.BytesIO(image_bytes("PNG", seed=2))), INFOTEXT, channel, compressed)
    verdict = verdict_of(png(image=image))
    found = sources(verdict)
    assert found["a1111"].model == "benign_model_v1"
    assert found["a1111"].claims["found_in"].startswith("stealth:stealth_")
    assert found["stealth"].claims["channel"] == channel


def test_stealth_payload_claiming_more_bits_than_the_image_holds_is_unreadable() -> None:
    image = Image.open(io.BytesIO(image_bytes("PNG", seed=2))).convert("RGBA")
    pixels = np.array(image)
    bits = np.unpackbits(np.frombuffer(b"stealth_pnginfo" + (2**31).to_bytes(4, "big"), dtype=np.uint8))
    columns = pixels.transpose(1, 0, 2).copy()
    alpha = columns[..., 3].reshape(-1)
    alpha[: bits.size] = (alpha[: bits.size] & 0xFE) | bits
    columns[..., 3] = alpha.reshape(columns.shape[:2])
    verdict = verdict_of(png(image=Image.fromarray(columns.transpose(1, 0, 2))))
    assert "claims 2,147,483,648 bits" in (sources(verdict)["stealth"].unreadable or "")
    assert verdict.verdict == "unknown"


def test_lossy_images_are_not_searched_for_stealth_payloads() -> None:
    image = stealth_write(Image.open(io.BytesIO(image_bytes("PNG", seed=2))), INFOTEXT, "rgb", True)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    assert "stealth" not in sources(verdict_of(buffer.getvalue()))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_decoded_bits_equal_the_invisible_watermark_library_on_its_own_fixtures(name: str) -> None:
    """The fixtures and the library's decoded bits come from make_fixtures.py (see its docstring)."""
    rgb = _rgb(WATERMARKS / name)
    per_order = {order: watermark.block_bits(plane) for order, plane in watermark.u_planes(rgb).items()}
    for length, orders in EXPECTED[name].items():
        for order, bits in orders.items():
            assert watermark.decode_bits(per_order[order], int(length)).astype(int).tolist() == bits, (name, length, order)


@pytest.mark.parametrize(("name", "message"), [("sd1.png", "StableDiffusionV1"), ("sd2.png", "SDV2"), ("sdxl.png", "SDXL"), ("flux.png", "FLUX")])
def test_each_tool_watermark_is_detected_with_its_false_positive_chance(name: str, message: str) -> None:
    verdict = verdict_of((WATERMARKS / name).read_bytes())
    evidence = sources(verdict)["watermark"]
    assert (verdict.verdict, evidence.strength, evidence.claims["message"]) == ("ai", Strength.STRONG, message)
    assert evidence.claims["false_positive_probability"] <= watermark.MAX_FALSE_POSITIVE


def test_each_step_equals_the_pywavelets_and_opencv_arithmetic_it_replaces() -> None:
    rng = np.random.default_rng(3)
    plane = rng.integers(0, 256, (402, 602), dtype=np.uint8)
    assert np.array_equal(watermark.haar_approximation(plane), pywt.dwt2(plane, "haar")[0])
    every_colour = np.stack(np.meshgrid(np.arange(256), np.arange(0, 256, 3), np.arange(0, 256, 5), indexing="ij"), -1).reshape(-1, 4, 3)
    red, green, blue = np.moveaxis(every_colour, 2, 0).astype(np.int32)
    u = watermark.u_channel(blue, green, red)
    luma = (red * 299 + green * 587 + blue * 114) / 1000
    assert np.abs(u - np.clip(0.492 * (blue - luma) + 128, 0, 255)).max() <= 1  # OpenCV's formula; exactness is the fixtures' test


def test_the_screening_strip_is_the_first_blocks_of_the_whole_image() -> None:
    """Large images are screened on a top strip; its block bits must be the whole image's first ones."""
    rgb = np.random.default_rng(5).integers(0, 256, (1024, 1000, 3), dtype=np.uint8)
    strip = watermark._screen_rows(rgb)
    assert strip is not None and strip < rgb.shape[0]
    whole = {order: watermark.block_bits(plane) for order, plane in watermark.u_planes(rgb).items()}
    for order, plane in watermark.u_planes(rgb[:strip]).items():
        top = watermark.block_bits(plane)
        assert len(top) >= watermark.SCREEN_VOTES * 136
        assert np.array_equal(top, whole[order][: len(top)])
    assert watermark._screen_rows(_rgb(WATERMARKS / "sd1.png")) is None  # small images are decoded whole


def test_thresholds_keep_the_false_positive_chance_within_the_stated_bound() -> None:
    for message in watermark.MESSAGES:
        k = watermark.required_agreement(len(message.bits))
        assert watermark.ORDERS * watermark.false_positive_probability(len(message.bits), k) <= watermark.MAX_FALSE_POSITIVE
        assert watermark.ORDERS * watermark.false_positive_probability(len(message.bits), k - 1) > watermark.MAX_FALSE_POSITIVE


def test_unmarked_images_never_decode_a_watermark() -> None:
    assert "watermark" not in sources(verdict_of((WATERMARKS / "plain.png").read_bytes()))
    rng = np.random.default_rng(7)
    for seed in range(40):
        kind = seed % 4
        if kind == 0:
            pixels = rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)
        elif kind == 1:
            pixels = np.full((300, 400, 3), rng.integers(0, 256, 3), dtype=np.uint8)
        elif kind == 2:
            ramp = np.linspace(0, 255, 400, dtype=np.float64)[None, :, None] * rng.random(3)
            pixels = np.broadcast_to(ramp, (300, 400, 3)).astype(np.uint8)
        else:
            pixels = np.asarray(Image.open(io.BytesIO(image_bytes("PNG", seed=seed, size=(400, 300)))).convert("RGB"))
        assert watermark.detect(np.ascontiguousarray(pixels)) == [], seed


def test_resaving_as_jpeg_keeps_a_strong_watermark_detectable() -> None:
    buffer = io.BytesIO()
    Image.open(WATERMARKS / "sd2.png").save(buffer, "JPEG", quality=95)
    assert sources(verdict_of(buffer.getvalue()))["watermark"].claims["message"] == "SDV2"
