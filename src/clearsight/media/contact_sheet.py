"""Contact sheets: a grid of frames from across a video with their times, so an analyst can
assess a video without playing it (and never hears its audio).

Safe by default: frames are greyscale and blurred (`blur` is a Gaussian radius in pixels of the
thumbnail; 0 turns it off) and the analyst sees them only when they ask for a sheet of one item.
"""

from __future__ import annotations

import math
from typing import Any

import av
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from clearsight.errors import ItemError, reason

LABEL_HEIGHT = 16


def _frame_at(container: av.container.InputContainer, stream: av.video.stream.VideoStream, seconds: float) -> av.VideoFrame | None:
    """The first frame at or after `seconds`: seek to the keyframe before it, then decode forward."""
    container.seek(int(seconds * av.time_base), any_frame=False, backward=True)
    last = None
    for frame in container.decode(stream):
        last = frame
        if frame.time is None or frame.time + 1e-6 >= seconds:
            break
    return last


def contact_sheet(source: Any, count: int = 12, columns: int = 4, width: int = 240, blur: float = 8.0, greyscale: bool = True) -> Image.Image:
    """Frames at evenly spaced times across the video at `source` (a path or a binary stream)."""
    thumbs: list[tuple[float, Image.Image]] = []
    try:
        with av.open(source, mode="r") as container:
            if not container.streams.video:
                raise ItemError("no video stream")
            stream = container.streams.video[0]
            duration = float(container.duration / av.time_base) if container.duration else 0.0
            for index in range(count):
                at = duration * (index + 0.5) / count
                frame = _frame_at(container, stream, at)
                if frame is not None:
                    thumbs.append((float(frame.time) if frame.time is not None else at, Image.fromarray(frame.to_ndarray(format="rgb24"))))
    except av.FFmpegError as exc:
        raise ItemError(f"video cannot be decoded: {reason(exc)}") from None
    if not thumbs:
        raise ItemError("no frame could be decoded")
    height = max(1, round(width * thumbs[0][1].height / max(thumbs[0][1].width, 1)))
    rows = math.ceil(len(thumbs) / columns)
    sheet = Image.new("RGB", (columns * width, rows * (height + LABEL_HEIGHT)), "black")
    draw = ImageDraw.Draw(sheet)
    for position, (seconds, image) in enumerate(thumbs):
        thumb = image.resize((width, height), Image.Resampling.BILINEAR)
        if greyscale:
            thumb = ImageOps.grayscale(thumb).convert("RGB")
        if blur > 0:
            thumb = thumb.filter(ImageFilter.GaussianBlur(blur))
        x, y = (position % columns) * width, (position // columns) * (height + LABEL_HEIGHT)
        sheet.paste(thumb, (x, y))
        minutes, rest = divmod(seconds, 60)
        draw.text((x + 4, y + height + 2), f"{int(minutes // 60):d}:{int(minutes % 60):02d}:{rest:04.1f}", fill="white")
    return sheet
