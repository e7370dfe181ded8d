"""Benign images carrying provenance metadata as each tool writes it, built with the real libraries."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import piexif
import piexif.helper
from PIL import Image, PngImagePlugin

from clearsight.config import Settings
from clearsight.item import Item, ItemResult
from clearsight.media.identify import HEAD_BYTES, identify
from clearsight.provenance.evidence import Verdict
from clearsight.provenance.stage import explain
from tests.media_factory import image_bytes

FIXTURES = Path(__file__).parent / "fixtures"
INFOTEXT = (
    "a red square on a white table <lora:squares_v1:0.7> <lora:grid:0.25>\n"
    "Negative prompt: blurry, text\n"
    'Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 320x240, Model hash: 0123456789, Model: benign_model_v1, '
    'Lora hashes: "squares_v1: abcdef012345, grid: 99887766aabb", TI hashes: "shape_emb: 1122334455", Version: v1.10.1'
)


def png(texts: dict[str, str] | None = None, itxt: dict[str, str] | None = None, image: Image.Image | None = None, seed: int = 1) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in (texts or {}).items():
        info.add_text(key, value)
    for key, value in (itxt or {}).items():
        info.add_itxt(key, value)
    buffer = io.BytesIO()
    (image or Image.open(io.BytesIO(image_bytes("PNG", seed=seed)))).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def exif_image(fmt: str, zeroth: dict[int, Any] | None = None, exif: dict[int, Any] | None = None, seed: int = 1, **save: Any) -> bytes:
    """A JPEG or WebP with EXIF written by piexif, as AUTOMATIC1111 and camera firmware do."""
    block = piexif.dump({"0th": zeroth or {}, "Exif": exif or {}})
    buffer = io.BytesIO()
    Image.open(io.BytesIO(image_bytes("PNG", seed=seed))).convert("RGB").save(buffer, fmt, exif=block, **save)
    return buffer.getvalue()


def user_comment(text: str, encoding: str = "unicode") -> bytes:
    return piexif.helper.UserComment.dump(text, encoding=encoding)


def camera_jpeg(seed: int = 3) -> bytes:
    """A camera-like JPEG: maker, model, exposure data, GPS-free."""
    return exif_image(
        "JPEG",
        {piexif.ImageIFD.Make: b"Canon", piexif.ImageIFD.Model: b"Canon EOS R6", piexif.ImageIFD.Software: b"Firmware 1.8.1"},
        {piexif.ExifIFD.ExposureTime: (1, 125), piexif.ExifIFD.FNumber: (28, 10), piexif.ExifIFD.ISOSpeedRatings: 400,
         piexif.ExifIFD.DateTimeOriginal: b"2024:05:01 10:00:00"},
        seed=seed,
        quality=92,
    )


def stealth_write(image: Image.Image, text: str, channel: str = "alpha", compressed: bool = True) -> Image.Image:
    """Hide `text` in LSBs the way the stealth-pnginfo extension writes it (the reader's spec)."""
    signature = {("alpha", True): b"stealth_pngcomp", ("alpha", False): b"stealth_pnginfo",
                 ("rgb", True): b"stealth_rgbcomp", ("rgb", False): b"stealth_rgbinfo"}[(channel, compressed)]
    payload = gzip.compress(text.encode()) if compressed else text.encode()
    bits = np.unpackbits(np.frombuffer(signature + (len(payload) * 8).to_bytes(4, "big") + payload, dtype=np.uint8))
    pixels = np.array(image.convert("RGBA" if channel == "alpha" else "RGB"))
    columns = pixels.transpose(1, 0, 2).copy()
    planes = columns[..., 3:4] if channel == "alpha" else columns[..., :3]
    flat = planes.reshape(-1).copy()
    assert bits.size <= flat.size, "image too small for the payload"
    flat[: bits.size] = (flat[: bits.size] & 0xFE) | bits
    if channel == "alpha":
        columns[..., 3] = flat.reshape(columns.shape[:2])
    else:
        columns[..., :3] = flat.reshape(columns[..., :3].shape)
    return Image.fromarray(np.ascontiguousarray(columns.transpose(1, 0, 2)))


def item_of(data: bytes, path: str = "test-item") -> Item:
    return Item(ItemResult(path=path, size=len(data), mtime_ns=0), data=data, head=data[:HEAD_BYTES])


def verdict_of(data: bytes, settings: Settings | None = None) -> Verdict:
    """The provenance verdict for an image given as bytes, as the scan stage computes it."""
    settings = settings or Settings()
    item = item_of(data)
    identify(item, settings)
    assert item.result.media_type == "image", item.result.mime
    return explain(item, settings)


def sources(verdict: Verdict) -> dict[str, Any]:
    """Evidence by source (the first of each), for assertions."""
    out: dict[str, Any] = {}
    for evidence in verdict.evidence:
        out.setdefault(evidence.source, evidence)
    return out


def comfy_graph() -> dict[str, Any]:
    """A ComfyUI API graph: checkpoint -> LoRA -> sampler, with one unused text node."""
    return {
        "3": {"class_type": "KSampler", "inputs": {"model": ["10", 0], "positive": ["6", 0], "negative": ["7", 0], "seed": 5, "steps": 20}},
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sdxl\\benign_base.safetensors"}},
        "10": {"class_type": "LoraLoader", "inputs": {"lora_name": "styles/shapes.safetensors", "strength_model": 0.8, "strength_clip": 1, "model": ["4", 0]}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": ["12", 0], "clip": ["4", 1]}},
        "12": {"class_type": "PrimitiveString", "inputs": {"value": "a blue circle"}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "low quality", "clip": ["4", 1]}},
        "8": {"class_type": "CLIPTextEncode", "inputs": {"text": "an unused draft", "clip": ["4", 1]}},
    }


def dumps(value: Any) -> str:
    return json.dumps(value)
