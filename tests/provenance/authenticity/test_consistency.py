"""The metadata-consistency reader checks that a file's own metadata tells one story, and never gives a verdict."""

from __future__ import annotations

import io
from typing import Any

import piexif
import pytest

from clearsight.provenance.authenticity.consistency import THUMBNAIL_DISTANCE, MetadataConsistencyReader
from clearsight.provenance.evidence import Strength, decide
from tests.provenance.authenticity.jpeg_factory import (
    camera_jpeg,
    context_of,
    exif_block,
    jpeg,
    picture,
    segment,
    with_segments,
    without_jfif,
)


def claims_of(data: bytes) -> dict[str, Any]:
    [evidence] = MetadataConsistencyReader().read(context_of(data))
    assert evidence.source == "metadata_consistency" and evidence.strength == Strength.INDICATIVE and evidence.ai_generated is None
    return evidence.claims


def results(data: bytes) -> dict[str, str]:
    return {check["check"]: check["result"] for check in claims_of(data)["checks"]}


def detail(data: bytes, name: str) -> str:
    return str(next(check["detail"] for check in claims_of(data)["checks"] if check["check"] == name))


def test_a_camera_like_file_with_its_own_thumbnail_supports_capture() -> None:
    data = camera_jpeg()
    assert results(data) == {"make_and_encoder": "consistent", "maker_note": "consistent", "thumbnail": "consistent", "timestamps": "consistent",
                             "software": "consistent"}
    claims = claims_of(data)
    assert claims["supports_capture"] is True
    assert "agree" in str(claims["finding"]) and "anyone" in str(claims["limits"])


def test_a_thumbnail_of_a_different_picture_is_inconsistent() -> None:
    data = camera_jpeg(seed=1, thumbnail_seed=2)
    assert results(data)["thumbnail"] == "inconsistent"
    assert "shows a different picture" in detail(data, "thumbnail") and "old thumbnail" in detail(data, "thumbnail")
    assert claims_of(data)["supports_capture"] is False


def test_the_right_thumbnail_is_well_within_the_threshold() -> None:
    distance = int(detail(camera_jpeg(seed=5), "thumbnail").split("PDQ distance ")[1].split()[0])
    assert distance < THUMBNAIL_DISTANCE // 2


def test_the_thumbnail_is_compared_in_the_stored_orientation() -> None:
    """An Orientation tag turns the picture for display only: the stored pixels and the thumbnail stay as written."""
    data = camera_jpeg(zeroth={piexif.ImageIFD.Orientation: 6})
    assert results(data)["thumbnail"] == "consistent"


def test_a_camera_make_in_a_pillow_reencode_is_reencoded_after_capture() -> None:
    data = jpeg(picture(), quality=85, exif=exif_block())
    assert results(data)["make_and_encoder"] == "inconsistent"
    assert "re-encoded after capture" in detail(data, "make_and_encoder") and "quality 85" in detail(data, "make_and_encoder")


def test_a_capture_time_after_the_modification_time_is_inconsistent() -> None:
    data = camera_jpeg(exif={piexif.ExifIFD.DateTimeOriginal: b"2024:06:01 09:00:00"})
    assert results(data)["timestamps"] == "inconsistent"
    assert "DateTimeOriginal" in detail(data, "timestamps")


def test_timestamps_with_offsets_are_compared_in_utc() -> None:
    """Taken at 10:00 in UTC+2 (08:00 UTC); the file changed at 09:30 UTC, written as 09:30 +00:00."""
    data = camera_jpeg(zeroth={piexif.ImageIFD.DateTime: b"2024:05:01 09:30:00"},
                       exif={piexif.ExifIFD.OffsetTimeOriginal: b"+02:00", piexif.ExifIFD.OffsetTimeDigitized: b"+02:00",
                             piexif.ExifIFD.OffsetTime: b"+00:00"})
    assert results(data)["timestamps"] == "consistent"


def test_a_malformed_timestamp_is_unreadable() -> None:
    assert results(camera_jpeg(exif={piexif.ExifIFD.DateTimeOriginal: b"yesterday at noon"}))["timestamps"] == "unreadable"


def test_an_editor_in_the_software_tag_is_reported_but_not_held_against_the_file() -> None:
    data = camera_jpeg(zeroth={piexif.ImageIFD.Software: b"Adobe Photoshop 25.0"})
    assert results(data)["software"] == "consistent"
    assert "'Adobe Photoshop 25.0', an editor or generator" in detail(data, "software")


def test_a_maker_note_in_another_makers_format_is_inconsistent() -> None:
    data = camera_jpeg(maker_note=b"Nikon\0\x02\x10\0\0MM\0*\0\0\0\x08" + bytes(16))
    assert results(data)["maker_note"] == "inconsistent"
    assert "Nikon's format" in detail(data, "maker_note")


def test_a_makers_own_header_is_consistent() -> None:
    data = camera_jpeg(make=b"FUJIFILM", model=b"X-T5", maker_note=b"FUJIFILM\x0c\0\0\0" + bytes(20))
    assert results(data)["maker_note"] == "consistent"


@pytest.mark.parametrize("note", [bytes(32), b"\xff\xff" + bytes(10)], ids=["zeroed", "not-an-ifd"])
def test_an_empty_or_broken_canon_maker_note_is_unreadable(note: bytes) -> None:
    assert results(camera_jpeg(maker_note=note))["maker_note"] == "unreadable"


def test_no_maker_note_means_no_support_for_capture() -> None:
    data = camera_jpeg(maker_note=None)
    assert results(data)["maker_note"] == "absent"
    assert claims_of(data)["supports_capture"] is False


def test_an_image_without_exif_gives_no_evidence() -> None:
    assert MetadataConsistencyReader().read(context_of(jpeg(picture()))) == []
    buffer = io.BytesIO()
    picture().save(buffer, "PNG")
    assert MetadataConsistencyReader().read(context_of(buffer.getvalue())) == []


def test_exif_in_a_webp_is_checked_without_an_encoder() -> None:
    buffer = io.BytesIO()
    picture().save(buffer, "WEBP", exif=exif_block(thumbnail=None))
    checks = results(buffer.getvalue())
    assert (checks["make_and_encoder"], checks["maker_note"], checks["thumbnail"]) == ("absent", "consistent", "absent")


@pytest.mark.parametrize("tiff", [b"II*\0\xff\xff\xff\x7f", b"MM\0*\0\0\0\x08\xff\xff" + bytes(20), b"XX" + bytes(30)], ids=["ifd0-outside", "huge-count", "no-header"])
def test_broken_exif_is_unreadable_never_an_exception(tiff: bytes) -> None:
    data = with_segments(without_jfif(jpeg(picture())), segment(0xE1, b"Exif\0\0" + tiff))
    checks = claims_of(data)["checks"]
    assert [check["result"] for check in checks] == ["unreadable"]


def test_a_thumbnail_pointing_outside_the_exif_is_unreadable() -> None:
    data = bytearray(camera_jpeg())
    block_start = data.index(b"Exif\0\0") + 6
    tiff = bytes(data[block_start:])
    # IFD1's JPEGInterchangeFormatLength entry (tag 0x0202, LONG, count 1), as piexif writes it big-endian
    entry = tiff.index(b"\x02\x02\x00\x04\x00\x00\x00\x01")
    data[block_start + entry + 8 : block_start + entry + 12] = (0x7FFF0000).to_bytes(4, "big")
    assert results(bytes(data))["thumbnail"] == "unreadable"


def test_consistency_evidence_alone_never_makes_a_verdict() -> None:
    for data in (camera_jpeg(), camera_jpeg(thumbnail_seed=4), jpeg(picture(), exif=exif_block())):
        evidence = MetadataConsistencyReader().read(context_of(data))
        assert [e.ai_generated for e in evidence] == [None]
        assert decide(evidence).verdict == "unknown"
