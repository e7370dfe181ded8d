"""Verdicts: never `ai` without a signal, never `camera` without verified capture, and malformed
metadata is reported as unreadable evidence instead of stopping anything."""

from __future__ import annotations

import io
import json
import struct
import zlib

import piexif
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from clearsight.provenance.evidence import Evidence, Strength, decide
from tests.media_factory import image_bytes
from tests.provenance_factory import INFOTEXT, camera_jpeg, comfy_graph, dumps, exif_image, png, sources, verdict_of


def _screenshot() -> bytes:
    image = Image.new("RGB", (800, 500), "white")
    draw = ImageDraw.Draw(image)
    for row in range(12):
        draw.rectangle((20, 20 + row * 38, 780, 48 + row * 38), outline="grey")
        draw.text((30, 26 + row * 38), f"Settings item {row}: enabled", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=None)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [camera_jpeg(), camera_jpeg(seed=9), _screenshot(), image_bytes("PNG"), image_bytes("WEBP"), image_bytes("GIF"), image_bytes("JPEG", quality=60),
     exif_image("JPEG", {piexif.ImageIFD.Software: b"Adobe Photoshop 25.0", piexif.ImageIFD.Make: b"Apple"})],
    ids=["camera", "camera2", "screenshot", "png", "webp", "gif", "jpeg", "edited"],
)
def test_ordinary_images_are_unknown_never_ai(data: bytes) -> None:
    verdict = verdict_of(data)
    assert (verdict.verdict, verdict.strength) == ("unknown", None)


def test_stripped_copy_of_an_ai_image_is_unknown() -> None:
    tagged = png({"parameters": INFOTEXT, "prompt": dumps(comfy_graph())})
    assert verdict_of(tagged).verdict == "ai"
    stripped = io.BytesIO()
    Image.open(io.BytesIO(tagged)).save(stripped, "PNG")
    assert verdict_of(stripped.getvalue()).verdict == "unknown"


def test_bad_json_in_generator_chunks_is_unreadable_with_a_reason() -> None:
    verdict = verdict_of(png({"prompt": "{not json", "workflow": "[1,", "invokeai_metadata": "{\"a\": "}))
    reasons = {e.source: e.unreadable for e in verdict.evidence}
    assert "not a JSON object" in (reasons["comfyui"] or "")
    assert "not a JSON object" in (reasons["invokeai"] or "")
    assert verdict.verdict == "unknown"


def test_a_50_mb_text_chunk_is_not_read_and_the_rest_still_is() -> None:
    data = png({"parameters": INFOTEXT, "Comment": "x" * 50_000_000})
    verdict = verdict_of(data)
    assert any("50,000,000 characters" in (e.unreadable or "") for e in verdict.evidence)
    assert sources(verdict)["a1111"].model == "benign_model_v1"


def test_truncated_png_chunk_is_unreadable_not_a_crash() -> None:
    data = png({"parameters": INFOTEXT})
    start = data.index(b"tEXt") - 4
    truncated = data[:start] + struct.pack(">I", 10_000) + data[start + 4 : start + 40]
    verdict = verdict_of(truncated)
    assert verdict.verdict == "unknown"
    assert any(e.unreadable for e in verdict.evidence)


def test_corrupt_compressed_text_chunk_gives_no_claim_and_no_crash() -> None:
    """Pillow reads an undecompressable zTXt chunk as empty text, so there is nothing to report."""
    data = png()
    body = b"parameters\0\0" + zlib.compress(INFOTEXT.encode())[:2] + bytes(range(40))
    chunk = struct.pack(">I", len(body)) + b"zTXt" + body + struct.pack(">I", zlib.crc32(b"zTXt" + body))
    end = data.index(b"IEND") - 4
    verdict = verdict_of(data[:end] + chunk + data[end:])
    assert verdict.verdict == "unknown"


def _e(ai: bool | None, strength: Strength, source: str = "s") -> Evidence:
    return Evidence(source=source, strength=strength, ai_generated=ai)


def test_verdict_rules() -> None:
    assert decide([]).verdict == "unknown"
    assert decide([_e(None, Strength.STRONG)]).verdict == "unknown"
    assert (decide([_e(True, Strength.INDICATIVE)]).verdict, decide([_e(True, Strength.INDICATIVE)]).strength) == ("ai", Strength.INDICATIVE)
    assert decide([_e(False, Strength.STRONG)]).verdict == "unknown"  # unsigned capture claims never make `camera`
    assert decide([_e(False, Strength.PROOF)]).verdict == "camera"
    assert decide([_e(False, Strength.PROOF), _e(True, Strength.INDICATIVE)]).verdict == "camera"
    conflict = decide([_e(False, Strength.PROOF), _e(True, Strength.STRONG)])
    assert (conflict.verdict, conflict.conflict) == ("unknown", True)
    ordered = decide([_e(True, Strength.STRONG, "b"), _e(True, Strength.PROOF, "a"), _e(True, Strength.INDICATIVE, "c")])
    assert [e.source for e in ordered.evidence] == ["a", "b", "c"]
    assert ordered.strength is Strength.PROOF


KEYS = ["parameters", "prompt", "workflow", "invokeai_metadata", "sd-metadata", "Comment", "Software", "fooocus_scheme"]
json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(["class_type", "inputs", "lora_name", "model", "loras", "nodes",
                                                                                     "widgets_values", "positive", "sui_image_params", "name", "hash", "weight", "signed_hash"]) | st.text(max_size=8), children, max_size=5),
    max_leaves=20,
)
chunk_text = st.one_of(st.text(max_size=300), json_values.map(json.dumps), st.builds(lambda s: "p\nSteps: 1, " + s, st.text(max_size=100)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), chunk_text, max_size=4))
def test_any_metadata_gives_a_verdict_and_never_an_internal_error(chunks: dict[str, str]) -> None:
    if "Comment" in chunks:
        chunks["Software"] = "NovelAI"
    verdict = verdict_of(png(chunks))
    assert verdict.verdict in ("ai", "unknown")
    assert not [e for e in verdict.evidence if "internal error" in (e.unreadable or "")]
