"""Benign synthetic videos made with PyAV: each second shows a different generated picture with a
square moving across it, so that every second is recognisable and frames within it are alike."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from clearsight.demo.corpus import synthetic_image

FPS = 10
SIZE = (320, 240)


def frame_at(index: int, fps: int = FPS, size: tuple[int, int] = SIZE) -> np.ndarray:
    """The picture of frame `index`: second `index // fps`'s scene, square moved by the frame."""
    scene = np.array(synthetic_image(500 + index // fps, size))
    x = (index % fps) * (size[0] // (2 * fps))
    scene[20:60, x : x + 40] = (250, 250, 250)
    return scene


def write_video(path: Path, frames: range, fps: int = FPS, codec: str = "libx264", size: tuple[int, int] = SIZE) -> Path:
    """Encode the given frame numbers of the synthetic sequence (a clip is a sub-range)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for index in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame_at(index, fps, size), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
