"""vPDQ, Meta's video hash: the PDQ of sampled frames, each with its frame number, quality and time.

Frames are decoded with PyAV (FFmpeg). PDQ is computed on the decoder's luma plane directly
(no colour conversion: PDQ only looks at luma, and the reference implementation's distances to
ours on the sample videos are 0-6 bits for every frame of quality 50 or more). By default every
frame is hashed, as the reference does (`Settings.vpdq_fps` samples fewer, at a cost in recall:
docs/video.md), and when sampling the decoder skips B-frames: I- and P-frames never refer to them, so the frames
left decode exactly, and they come often enough (every few frames) to sample from. A frame within `PRUNE_DISTANCE` bits of the frame kept before it is dropped: a static shot
is one hash, not hundreds. Frame size, duration and frame count are bounded by the limits; past the duration or count
limit the hashes so far are kept and the item gets an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from clearsight.config import Limits, Settings
from clearsight.errors import ItemError, reason
from clearsight.hashing.base import hamming_distance
from clearsight.hashing.pdq_numpy import bits_to_hex, pdq_from_luma
from clearsight.item import Item

PRUNE_DISTANCE = 2
LUMA_FIRST_FORMATS = frozenset({"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12", "nv21", "yuv420p10le", "gray"})
"""Pixel formats whose first plane is 8-bit luma (10-bit is converted)."""
MAX_LUMA_SIDE = 1024
"""Frames are box-reduced to at most this long side before PDQ, which filters to 64x64 anyway."""


@dataclass(frozen=True)
class FrameHash:
    frame: int
    quality: int
    pdq: str
    seconds: float

    def row(self) -> list[Any]:
        return [self.frame, self.quality, self.pdq, round(self.seconds, 3)]


def _luma(frame: av.VideoFrame) -> npt.NDArray[np.uint8]:
    """The frame's luma as a 2-D uint8 array, reduced by an integer factor if very large."""
    luma: npt.NDArray[np.uint8]
    if frame.format.name in LUMA_FIRST_FORMATS and frame.format.name != "yuv420p10le":
        plane = frame.planes[0]
        luma = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
    else:
        luma = np.asarray(frame.to_ndarray(format="gray"), dtype=np.uint8)
    step = -(-max(luma.shape) // MAX_LUMA_SIDE)
    return luma[::step, ::step] if step > 1 else luma


def _frames(container: av.container.InputContainer, stream: av.video.stream.VideoStream, fps: float, limits: Limits) -> Iterator[tuple[int, float, av.VideoFrame]]:
    """(frame number, seconds, frame) of the frames to hash: the first at or after each sampling time."""
    base = float(stream.time_base) if stream.time_base is not None else 0.0
    next_time = 0.0
    for number, frame in enumerate(container.decode(stream)):
        seconds = float(frame.pts * base) if frame.pts is not None and base else number / float(stream.average_rate or 30)
        if seconds > limits.max_video_seconds:
            raise ItemError(f"video runs past {limits.max_video_seconds:,.0f} s (CLEARSIGHT_MAX_VIDEO_SECONDS); hashed up to there")
        if number >= limits.max_video_frames:
            raise ItemError(f"video has more than {limits.max_video_frames:,} frames (CLEARSIGHT_MAX_VIDEO_FRAMES); hashed up to there")
        if fps <= 0 or seconds + 1e-6 >= next_time:
            next_time = seconds + (1.0 / fps if fps > 0 else 0.0)
            yield number, seconds, frame


def vpdq_frames(source: Any, settings: Settings, hashes: list[FrameHash]) -> dict[str, Any]:
    """Hash the video at `source` (a path or a binary stream) into `hashes`, which keeps what was
    hashed even when a limit stops it; returns the stream facts (duration, sampled rate)."""
    limits = settings.limits
    with av.open(source, mode="r") as container:
        if not container.streams.video:
            raise ItemError("no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # before anything opens the decoder
        width, height = stream.codec_context.width, stream.codec_context.height
        if width * height > limits.max_video_pixels:
            raise ItemError(f"video frames are {width}x{height}, over the limit of {limits.max_video_pixels:,} pixels (CLEARSIGHT_MAX_VIDEO_PIXELS)")
        rate = float(stream.average_rate or 0)
        if settings.vpdq_fps > 0 and (not rate or settings.vpdq_fps < rate / 2):
            stream.codec_context.skip_frame = "BIDIR"
        duration = float(container.duration / av.time_base) if container.duration else None
        last: str | None = None
        for number, seconds, frame in _frames(container, stream, settings.vpdq_fps, limits):
            bits, quality = pdq_from_luma(_luma(frame))
            value = bits_to_hex(bits)
            if last is not None and hamming_distance(value, last) <= PRUNE_DISTANCE:
                continue
            hashes.append(FrameHash(number, quality, value, seconds))
            last = value
    return {"duration": duration if duration is not None else (hashes[-1].seconds if hashes else 0.0), "sampled_fps": settings.vpdq_fps or rate}


def hash_video(item: Item, settings: Settings) -> None:
    """Pipeline stage: attach the vPDQ record to video items."""
    if item.result.media_type != "video":
        return
    hashes: list[FrameHash] = []
    record: dict[str, Any] = {"frames": 0, "sampled_fps": settings.vpdq_fps, "duration": None, "hashes": []}
    item.result.vpdq = record
    try:
        record |= vpdq_frames(item.source(), settings, hashes)
    except av.FFmpegError as exc:
        raise ItemError(f"video cannot be decoded: {reason(exc)}") from None
    finally:
        record["frames"] = len(hashes)
        record["hashes"] = [frame.row() for frame in hashes]
        if not hashes:
            item.result.vpdq = None
