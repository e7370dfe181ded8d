"""The encoder reader names who wrote a JPEG from its tables and layout, and never gives a verdict."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from PIL import Image
from PIL.JpegImagePlugin import JpegImageFile

from clearsight.provenance.authenticity import camera_tables
from clearsight.provenance.authenticity.encoder import STANDARD_CHROMA, STANDARD_LUMA, EncoderReader, ijg_quality, ijg_table
from clearsight.provenance.authenticity.jpeg_structure import read_structure
from clearsight.provenance.evidence import Strength, decide
from tests.provenance.authenticity.jpeg_factory import (
    CAMERA_LIKE_TABLES,
    camera_jpeg,
    context_of,
    exif_block,
    jpeg,
    photoshop_jpeg,
    picture,
    without_jfif,
)


def encoder_of(data: bytes) -> dict[str, Any]:
    [evidence] = EncoderReader().read(context_of(data))
    assert evidence.source == "encoder" and evidence.strength == Strength.INDICATIVE and evidence.ai_generated is None
    return evidence.claims


@pytest.mark.parametrize("quality", [50, 75, 90, 95])
def test_pillow_jpeg_at_quality_q_is_named_libjpeg_at_q(quality: int) -> None:
    claims = encoder_of(jpeg(picture(), quality=quality))
    encoder = claims["encoder"]
    assert isinstance(encoder, dict)
    assert (encoder["class"], encoder["name"], encoder["quality"], encoder["nearest_ijg_quality"]) == ("software", "libjpeg (IJG)", quality, quality)
    assert claims["supports_capture"] is False
    assert f"at quality {quality}" in str(claims["finding"])
    assert encoder["markers"] == ["SOI", "APP0", "DQT", "DQT", "SOF0", "DHT", "DHT", "DHT", "DHT", "SOS"]
    assert (encoder["subsampling"], encoder["progressive"], encoder["huffman"]) == ("4:2:0", False, "standard")


def test_ijg_quality_50_is_the_standard_table_and_100_is_all_ones() -> None:
    assert ijg_table(STANDARD_LUMA, 50) == STANDARD_LUMA and ijg_table(STANDARD_CHROMA, 50) == STANDARD_CHROMA
    assert set(ijg_table(STANDARD_LUMA, 100)) == {1}


def test_progressive_444_optimised_pillow_jpeg_is_described_as_written() -> None:
    encoder = encoder_of(jpeg(picture(), quality=80, progressive=True, subsampling=0, optimize=True))["encoder"]
    assert isinstance(encoder, dict)
    assert (encoder["quality"], encoder["progressive"], encoder["subsampling"], encoder["huffman"]) == (80, True, "4:4:4", "optimised")
    assert "SOF2" in encoder["markers"]


def test_structure_gives_pillows_tables_in_natural_order_and_the_restart_interval() -> None:
    data = jpeg(picture(), quality=60, restart_marker_blocks=4, subsampling=1)
    structure = read_structure(data)
    opened = Image.open(io.BytesIO(data))
    assert isinstance(opened, JpegImageFile)
    assert {key: list(table) for key, table in structure.quantisation.items()} == opened.quantization
    assert (structure.restart_interval, structure.subsampling, structure.sof_type, structure.problem) == (4, "4:2:2", "baseline", None)
    assert structure.app == ["APP0:JFIF"] and structure.standard_huffman is True


def test_camera_like_jpeg_is_a_camera_named_by_its_exif_make() -> None:
    assert ijg_quality({0: tuple(CAMERA_LIKE_TABLES[0]), 1: tuple(CAMERA_LIKE_TABLES[1])}) is None
    claims = encoder_of(camera_jpeg())
    encoder = claims["encoder"]
    assert isinstance(encoder, dict)
    assert (encoder["class"], encoder["name"], encoder["quality"], encoder["known_tables"]) == ("camera", "Canon", None, None)
    assert encoder["markers"][:3] == ["SOI", "APP1", "DQT"]
    assert claims["supports_capture"] is True
    assert "not in the known set of camera tables (make from EXIF: Canon)" in str(claims["finding"])
    assert "copied" in str(claims["limits"])


def test_known_camera_tables_are_matched_and_their_source_recorded() -> None:
    canon = camera_tables.KNOWN[0]
    encoder = encoder_of(camera_jpeg(tables=[list(canon.luma), list(canon.chroma)]))["encoder"]
    assert isinstance(encoder, dict)
    assert (encoder["class"], encoder["name"]) == ("camera", "Canon")
    assert encoder["known_tables"]["repo"] == "ianare/exif-samples" and encoder["known_tables"]["commit"] == camera_tables.SAMPLES_COMMIT


def test_a_cameras_tables_without_its_exif_are_named_but_not_a_camera() -> None:
    canon = camera_tables.KNOWN[0]
    claims = encoder_of(jpeg(picture(), qtables=[list(canon.luma), list(canon.chroma)]))
    assert claims["encoder"]["class"] == "unknown" and claims["encoder"]["name"] == "Canon camera tables"
    assert claims["supports_capture"] is False


def test_camera_exif_copied_into_a_pillow_reencode_is_software() -> None:
    claims = encoder_of(jpeg(picture(), quality=85, exif=exif_block()))
    assert (claims["encoder"]["class"], claims["encoder"]["quality"]) == ("software", 85)
    assert claims["supports_capture"] is False


def test_ijg_tables_in_a_camera_layout_are_left_undecided() -> None:
    """Some cameras (Nikon COOLPIX P6000, Sony DSC-D700 samples) write IJG-scaled tables themselves."""
    claims = encoder_of(without_jfif(jpeg(picture(), quality=92, exif=exif_block())))
    assert (claims["encoder"]["class"], claims["encoder"]["name"], claims["encoder"]["quality"]) == ("unknown", "IJG-scaled tables", 92)


def test_camera_like_tables_without_camera_metadata_are_unknown() -> None:
    claims = encoder_of(jpeg(picture(), qtables=CAMERA_LIKE_TABLES))
    assert (claims["encoder"]["class"], claims["encoder"]["name"], claims["supports_capture"]) == ("unknown", None, False)


def test_photoshop_like_jpeg_is_named_photoshop() -> None:
    claims = encoder_of(photoshop_jpeg())
    encoder = claims["encoder"]
    assert isinstance(encoder, dict)
    assert (encoder["class"], encoder["name"], encoder["quality"]) == ("software", "Photoshop", None)
    assert {"APP13:Photoshop 3.0", "APP14:Adobe"} <= set(encoder["app"])
    assert claims["supports_capture"] is False


def test_photoshops_table_sets_are_named_even_without_its_segments() -> None:
    encoder = encoder_of(jpeg(picture(), qtables="high"))["encoder"]
    assert (encoder["name"], encoder["photoshop_tables"]) == ("Photoshop", "high")


def test_the_three_encoders_are_told_apart() -> None:
    names = {kind: encoder_of(data)["encoder"]["class"] for kind, data in
             {"pillow": jpeg(picture(), quality=75), "camera": camera_jpeg(), "photoshop": photoshop_jpeg()}.items()}
    assert names == {"pillow": "software", "camera": "camera", "photoshop": "software"}
    assert encoder_of(photoshop_jpeg())["encoder"]["name"] != encoder_of(jpeg(picture()))["encoder"]["name"]


def test_encoder_evidence_alone_never_makes_a_verdict() -> None:
    for data in (camera_jpeg(), jpeg(picture()), photoshop_jpeg()):
        evidence = EncoderReader().read(context_of(data))
        assert [e.ai_generated for e in evidence] == [None]
        assert decide(evidence).verdict == "unknown"


def test_png_and_webp_get_no_encoder_evidence() -> None:
    for fmt in ("PNG", "WEBP"):
        buffer = io.BytesIO()
        picture().save(buffer, fmt)
        assert EncoderReader().read(context_of(buffer.getvalue())) == []


@pytest.mark.parametrize("cut", [3, 20, 100, 300, 600, 2000])
def test_truncated_jpegs_raise_nothing(cut: int) -> None:
    data = camera_jpeg()[:cut]
    structure = read_structure(data)
    assert structure.problem is not None
    evidence = EncoderReader().read(context_of(data))
    assert all(e.ai_generated is None for e in evidence)


def test_garbage_after_soi_and_random_bytes_raise_nothing() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        garbage = rng.integers(0, 256, int(rng.integers(0, 400)), dtype=np.uint8).tobytes()
        for data in (garbage, b"\xff\xd8" + garbage, b"\xff\xd8\xff\xdb" + garbage, jpeg(picture())[:180] + garbage):
            read_structure(data)
            EncoderReader().read(context_of(data))


def test_an_unreadable_jpeg_header_is_unreadable_evidence() -> None:
    data = jpeg(picture())
    header = read_structure(data)
    assert header.quantisation
    broken = data[:2] + b"\xff\xdb\x00\x05\x00\x01\x02" + data[2:]  # a DQT segment cut short, before the real ones
    assert read_structure(broken).problem == "a DQT segment is malformed"
