"""Provenance of videos and audio: a C2PA manifest in the file (MP4/MOV, and MP3, WAV, M4A, FLAC
as c2pa reads them), the container's tags (ID3, RIFF INFO, MP4 and Vorbis tags through FFmpeg),
the generation metadata tools write into those tags (ComfyUI's VideoHelperSuite stores its
`prompt` and `workflow` graphs in the `comment` tag, its built-in SaveVideo in `prompt` and
`workflow` tags; China's GB 45438 label is an `AIGC` tag), and invisible watermarks on a few
decoded frames of videos. Cloned voices are part of the harm, so audio is examined like video.

Container tags can hold prompts, so only tags known to be technical (encoder, handler, brands,
software, camera make and model) are shown as claims; the names of the others are listed.
"""

from __future__ import annotations

import json

import av
import numpy as np

from clearsight.config import Settings
from clearsight.item import Item
from clearsight.provenance.c2pa import read_manifest
from clearsight.provenance.context import UINT8, ImageContext
from clearsight.provenance.evidence import Evidence, Strength, unreadable
from clearsight.provenance.registry import GENERATOR_READERS, PIXEL_READERS
from clearsight.provenance.watermark import MAX_PIXELS

TECHNICAL_TAGS = ("encoder", "handler_name", "major_brand", "compatible_brands", "creation_time", "software", "vendor_id",
                  "com.apple.quicktime.software", "com.apple.quicktime.make", "com.apple.quicktime.model", "make", "model")
GENERATION_TAGS = ("comment", "description", "parameters", "prompt", "workflow", "synopsis")
FRAME_POSITIONS = (0.0, 1 / 3, 2 / 3)
"""Where in the video frames are decoded for the pixel readers (as shares of the duration)."""


def _tags(container: av.container.InputContainer) -> dict[str, str]:
    tags = {str(key).lower(): str(value) for key, value in (container.metadata or {}).items()}
    for stream in container.streams:
        tags |= {str(key).lower(): str(value) for key, value in (stream.metadata or {}).items() if str(key).lower() not in tags}
    return tags


def _generation_texts(tags: dict[str, str]) -> dict[str, str]:
    """Tags as the texts generator readers look for: a JSON tag holding `prompt`/`workflow` graphs
    is unpacked into them; an infotext tag is offered as `parameters`."""
    texts: dict[str, str] = {"text:AIGC": tags["aigc"]} if tags.get("aigc") else {}
    for key in GENERATION_TAGS:
        value = tags.get(key)
        if not value:
            continue
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, dict) and ({"prompt", "workflow"} & set(parsed)):
            for name in ("prompt", "workflow"):
                if name in parsed:
                    texts[f"text:{name}"] = parsed[name] if isinstance(parsed[name], str) else json.dumps(parsed[name])
        elif key in ("prompt", "workflow"):
            texts[f"text:{key}"] = value
        else:
            texts.setdefault("text:parameters", value)
    return texts


def _frames(container: av.container.InputContainer) -> list[UINT8]:
    """A few decoded RGB frames, for watermark readers; none for frames too large to carry one."""
    stream = container.streams.video[0]
    if stream.codec_context.width * stream.codec_context.height > MAX_PIXELS:
        return []
    duration = float(container.duration / av.time_base) if container.duration else 0.0
    frames: list[UINT8] = []
    for share in FRAME_POSITIONS:
        if share and not duration:
            break
        container.seek(int(share * duration * av.time_base), any_frame=False)
        frame = next(container.decode(stream), None)
        if frame is not None:
            frames.append(np.ascontiguousarray(frame.to_ndarray(format="rgb24")))
    return frames


def video_evidence(item: Item, settings: Settings) -> list[Evidence]:
    evidence: list[Evidence] = []
    with item.open() as stream:
        evidence += read_manifest(stream, item.result.mime or "video/mp4", settings.c2pa_trust_anchors)
    try:
        with av.open(item.source(), mode="r") as container:
            tags = _tags(container)
            frames = _frames(container) if container.streams.video else []
    except (av.FFmpegError, OSError, ValueError) as exc:
        return [*evidence, unreadable("container", f"the container cannot be read: {exc}")]
    technical = {key: tags[key] for key in TECHNICAL_TAGS if key in tags}
    if tags:
        others = sorted(key for key in tags if key not in technical)
        evidence.append(Evidence("container", Strength.INDICATIVE, claims={"tags": technical, "other_tags": others}))
    texts = ImageContext.of_texts(_generation_texts(tags), settings)
    for reader in GENERATOR_READERS:
        evidence += reader.read(texts)
    evidence += texts.problems
    seen: set[str] = set()
    for rgb in frames:
        for reader in PIXEL_READERS:
            for found in reader.read(ImageContext.of_frame(rgb, settings)):
                key = json.dumps(found.claims.get("message"))
                if key not in seen:
                    seen.add(key)
                    evidence.append(found)
    return evidence

