"""Build a small, benign demo corpus: synthetic images (some carrying generator metadata),
a short synthetic video, a tiny model file and archives, plus deliberately broken files.

Everything is drawn from numpy gradients and shapes; the "prompts" in the metadata describe
landscapes. The corpus shows every scan feature: each image format, EXIF orientation, a
near-duplicate and a mirrored copy (matched against a demo hash bank), nested archives and
the per-item errors that bad input gets.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import tarfile
import zipfile
from pathlib import Path

import av
import numpy as np
from PIL import Image, PngImagePlugin

from clearsight.hashing.pdq_numpy import bits_to_hex, pdq_from_luma
from clearsight.store.records import BankRecord

SIZE = (640, 480)


def synthetic_image(seed: int, size: tuple[int, int] = SIZE) -> Image.Image:
    """A deterministic abstract picture: a colour gradient with a few random ellipses."""
    rng = np.random.default_rng(seed)
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack(
        [(x * rng.uniform(0.2, 0.5) + y * rng.uniform(0.0, 0.3) + rng.integers(0, 255)) % 256 for _ in range(3)], axis=-1
    )
    for _ in range(6):
        cx, cy = rng.integers(0, width), rng.integers(0, height)
        rx, ry = rng.integers(1 + width // 30, 2 + width // 3), rng.integers(1 + height // 30, 2 + height // 3)
        mask = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
        base[mask] = rng.integers(0, 255, size=3)
    return Image.fromarray(base.astype(np.uint8), "RGB")


def _a1111_parameters(seed: int) -> str:
    return (
        "a watercolour painting of a lighthouse on a cliff at dusk <lora:demo-landscape-lora:0.8>\n"
        "Negative prompt: blurry, low quality\n"
        f"Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: {seed}, Size: 640x480, "
        "Model hash: 0123456789, Model: demo-landscape-v1, Version: v1.10.1"
    )


def _comfyui_prompt() -> str:
    graph = {
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "demo-landscape-v1.safetensors"}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a field of sunflowers under a blue sky", "clip": ["4", 1]}},
    }
    return json.dumps(graph)


def _write_images(folder: Path) -> None:
    synthetic_image(1).save(folder / "photo-001.jpg", quality=90)
    synthetic_image(2).save(folder / "diagram.png")
    synthetic_image(3).save(folder / "sticker.webp", quality=85)
    synthetic_image(4).convert("P").save(folder / "animation.gif")
    synthetic_image(5).save(folder / "scan.bmp")
    synthetic_image(6).save(folder / "page.tiff")
    synthetic_image(7).save(folder / "wallpaper.avif", quality=60)
    synthetic_image(1).resize((320, 240)).save(folder / "photo-001-small-copy.jpg", quality=80)
    synthetic_image(1).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(folder / "photo-001-mirrored.jpg", quality=85)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    synthetic_image(8).save(folder / "phone-rotated.jpg", exif=exif)
    # Renamed to hide its type: identified by content, not by the extension.
    synthetic_image(9).save(folder / "notes.txt", format="PNG")
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", _a1111_parameters(1234))
    synthetic_image(10).save(folder / "generated-a1111.png", pnginfo=info)
    info = PngImagePlugin.PngInfo()
    info.add_text("prompt", _comfyui_prompt())
    synthetic_image(11).save(folder / "generated-comfyui.png", pnginfo=info)


def _write_video(path: Path, seconds: int = 2, fps: int = 10) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for index in range(seconds * fps):
            frame = np.asarray(synthetic_image(100 + index // fps, (160, 120)))
            shifted = np.roll(frame, index * 4, axis=1)
            for packet in stream.encode(av.VideoFrame.from_ndarray(shifted, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _safetensors(metadata: dict[str, str]) -> bytes:
    """A minimal valid safetensors file: one 2x2 float32 tensor of zeros."""
    header = {"__metadata__": metadata, "demo.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}
    encoded = json.dumps(header).encode()
    return struct.pack("<Q", len(encoded)) + encoded + bytes(16)


def _png_bytes(seed: int) -> bytes:
    buffer = io.BytesIO()
    synthetic_image(seed, (320, 240)).save(buffer, format="PNG")
    return buffer.getvalue()


def _write_archives(folder: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as nested:
        nested.writestr("deeper/picture.png", _png_bytes(21))
    with zipfile.ZipFile(folder / "holiday-album.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("day1/beach.png", _png_bytes(22))
        archive.writestr("day2/mountains.png", _png_bytes(23))
        archive.writestr("more.zip", inner.getvalue())
    with tarfile.open(folder / "backup.tar.gz", "w:gz") as archive:
        data = _png_bytes(24)
        info = tarfile.TarInfo("old/phone-backup.png")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))


def _write_broken(folder: Path) -> None:
    whole = io.BytesIO()
    synthetic_image(30).save(whole, format="JPEG")
    (folder / "damaged.jpg").write_bytes(whole.getvalue()[: len(whole.getvalue()) // 3])
    (folder / "empty.dat").write_bytes(b"")


def demo_known_hashes() -> list[BankRecord]:
    """A pretend hash list for the demo: the PDQ of picture 1 (so its resized and mirrored copies
    match perceptually) and the MD5 of a PNG inside the zip (an exact match on an archive member)."""
    pdq, quality = pdq_from_luma(np.asarray(synthetic_image(1).convert("L"), dtype=np.float32))
    return [
        BankRecord({"pdq": bits_to_hex(pdq)}, classification="demo", ref="demo-1", quality=quality),
        BankRecord({"md5": hashlib.md5(_png_bytes(22)).hexdigest()}, classification="demo", ref="demo-2"),
    ]


def build_demo_corpus(folder: Path) -> Path:
    """Write the demo corpus into `folder` (created if needed) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_images(folder)
    _write_video(folder / "clip.mp4")
    _write_archives(folder)
    _write_broken(folder)
    (folder / "models").mkdir(exist_ok=True)
    (folder / "models" / "demo-lora.safetensors").write_bytes(
        _safetensors({"ss_output_name": "demo-landscape-lora", "ss_base_model_version": "sd_v1", "ss_network_module": "networks.lora"})
    )
    (folder / "README.txt").write_text("Benign synthetic files generated by `clearsight demo`.\n", encoding="utf-8")
    return folder
