"""Media type comes from the bytes, never the file name."""

from __future__ import annotations

import io
import json
import struct
import tarfile
import zipfile

import av
import numpy as np
import pillow_heif
import pytest
from PIL import Image

from clearsight.config import Settings
from clearsight.errors import ItemError
from clearsight.item import Item, ItemResult
from clearsight.media.identify import HEAD_BYTES, identify
from tests.media_factory import image_bytes


def identified(data: bytes) -> tuple[str, str | None]:
    item = Item(ItemResult(path="renamed.bin", size=len(data), mtime_ns=0), data=data, head=data[:HEAD_BYTES])
    identify(item, Settings())
    return item.result.media_type, item.result.mime


def video_bytes(container: str, codec: str) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as output:
        stream = output.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(5):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), index * 40, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return buffer.getvalue()


def heic_bytes() -> bytes:
    buffer = io.BytesIO()
    pillow_heif.from_pillow(Image.open(io.BytesIO(image_bytes("PNG")))).save(buffer, format="HEIF")
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "AVIF"])
def test_images_are_images_whatever_their_name(fmt: str) -> None:
    assert identified(image_bytes(fmt))[0] == "image"


def test_heic_is_an_image() -> None:
    assert identified(heic_bytes()) == ("image", "image/heic")


@pytest.mark.parametrize(("container", "codec"), [("mp4", "mpeg4"), ("mov", "mpeg4"), ("matroska", "mpeg4"), ("avi", "mpeg4"), ("webm", "libvpx")])
def test_videos_are_videos(container: str, codec: str) -> None:
    assert identified(video_bytes(container, codec))[0] == "video"


def safetensors_bytes() -> bytes:
    header = json.dumps({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    return struct.pack("<Q", len(header)) + header + bytes(4)


def torch_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
        archive.writestr("archive/version", b"3\n")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (safetensors_bytes(), "application/vnd.safetensors"),
        (b"GGUF\x03\x00\x00\x00" + bytes(32), "application/vnd.gguf"),
        (b"\x80\x02}q\x00.", "application/x-python-pickle"),
        (torch_zip_bytes(), "application/vnd.pytorch+zip"),
    ],
)
def test_model_files_are_recognised_without_loading_them(data: bytes, mime: str) -> None:
    assert identified(data) == ("model", mime)


def test_archives_are_archives() -> None:
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("a.txt", "hello")
    tarball = io.BytesIO()
    with tarfile.open(fileobj=tarball, mode="w:gz") as archive:
        info = tarfile.TarInfo("a.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    assert identified(plain_zip.getvalue())[0] == "archive"
    assert identified(tarball.getvalue())[0] == "archive"


def test_text_is_other_and_an_empty_file_is_an_error() -> None:
    assert identified(b"just some notes\n")[0] == "other"
    with pytest.raises(ItemError, match="empty"):
        identified(b"")
