"""Video provenance (C2PA in MP4, generator metadata in container tags, watermarks in frames)
and contact sheets (greyscale and blurred unless asked)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from clearsight.config import Settings
from clearsight.media.contact_sheet import contact_sheet
from clearsight.media.identify import identify
from clearsight.provenance.evidence import Strength, Verdict
from clearsight.provenance.stage import explain
from tests.cli_runner import clearsight, records
from tests.provenance.c2pa_factory import CertificateAuthority
from tests.provenance_factory import FIXTURES, comfy_graph, item_of, sources
from tests.video_factory import FPS, write_video


def _verdict(path: Path, settings: Settings | None = None) -> Verdict:
    settings = settings or Settings()
    item = item_of(path.read_bytes(), str(path))
    identify(item, settings)
    assert item.result.media_type == "video"
    return explain(item, settings)


def _tagged_video(path: Path, tags: dict[str, str], options: dict[str, str] | None = None) -> Path:
    with av.open(str(path), "w", options=options or {}) as container:
        container.metadata.update(tags)
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for index in range(FPS):
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.full((240, 320, 3), index * 20, np.uint8), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_c2pa_manifest_in_an_mp4(tmp_path: Path) -> None:
    ca = CertificateAuthority.create()
    signed = tmp_path / "signed.mp4"
    signed.write_bytes(ca.sign(write_video(tmp_path / "v.mp4", range(2 * FPS)).read_bytes(), "video/mp4", "trainedAlgorithmicMedia"))
    trusting = replace(Settings(), c2pa_trust_anchors=ca.write_anchors(tmp_path))
    verdict = _verdict(signed, trusting)
    assert (verdict.verdict, verdict.strength, sources(verdict)["c2pa"].claims["state"]) == ("ai", Strength.PROOF, "trusted")


def test_comfyui_graphs_in_the_comment_tag_and_prompts_kept_out_of_sight(tmp_path: Path) -> None:
    video = _tagged_video(tmp_path / "comfy.mp4", {"comment": json.dumps({"prompt": comfy_graph()}), "title": "a private caption"})
    verdict = _verdict(video)
    comfy = sources(verdict)["comfyui"]
    assert (verdict.verdict, comfy.model) == ("ai", "benign_base.safetensors")
    container = sources(verdict)["container"].claims
    assert "comment" in container["other_tags"] and "title" in container["other_tags"]
    printed = clearsight("explain", str(video), "--format", "json").stdout
    assert "a private caption" not in printed and "a blue circle" not in printed


def test_watermarks_are_read_from_decoded_frames(tmp_path: Path) -> None:
    rgb = np.asarray(Image.open(FIXTURES / "watermarks" / "sd2.png").convert("RGB"))
    path = tmp_path / "marked.mov"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("png", rate=5)  # lossless, as the mark lives in fine chroma detail
        stream.width, stream.height, stream.pix_fmt = rgb.shape[1], rgb.shape[0], "rgb24"
        for _ in range(5):
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    assert sources(_verdict(path))["watermark"].claims["message"] == "SDV2"


def test_plain_video_is_unknown_and_scanned_videos_carry_provenance(tmp_path: Path) -> None:
    video = write_video(tmp_path / "plain.mp4", range(3 * FPS))
    verdict = _verdict(video)
    assert verdict.verdict == "unknown"
    assert sources(verdict)["container"].claims["tags"]["encoder"].startswith("Lavf")
    (record,) = records(clearsight("scan", str(video), "--db", str(tmp_path / "c.db"), "--format", "jsonl").stdout)
    assert record["provenance"]["verdict"] == "unknown" and record["vpdq"]["frames"] == 30


def test_contact_sheets_are_greyscale_and_blurred_unless_asked(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.mp4", range(6 * FPS))
    sheet = contact_sheet(str(video), count=6, columns=3, width=120)
    pixels = np.asarray(sheet).astype(int)
    assert sheet.size[0] == 360 and sheet.size[1] == 2 * (90 + 16)
    assert (pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 1] == pixels[..., 2]).all()
    sharp = np.asarray(contact_sheet(str(video), count=6, columns=3, width=120, blur=0)).astype(int)
    assert np.abs(np.diff(sharp[:90, :120, 0], axis=1)).max() > np.abs(np.diff(pixels[:90, :120, 0], axis=1)).max()
    colour = np.asarray(contact_sheet(str(video), count=6, columns=3, width=120, greyscale=False)).astype(int)
    assert (colour[..., 0] != colour[..., 1]).any()
    out = tmp_path / "sheet.png"
    done = clearsight("explain", str(video), "--contact-sheet", str(out))
    assert out.exists() and "greyscale, blur 8" in done.stderr


def test_comfyui_save_video_tags_prompt_and_workflow_are_read(tmp_path: Path) -> None:
    # as ComfyUI's SaveVideo writes them: free-form MP4 tags, which FFmpeg keeps only with this flag
    video = _tagged_video(tmp_path / "saved.mp4", {"prompt": json.dumps(comfy_graph()), "workflow": json.dumps({"nodes": []})},
                          {"movflags": "use_metadata_tags"})
    verdict = _verdict(video)
    assert (verdict.verdict, sources(verdict)["comfyui"].model) == ("ai", "benign_base.safetensors")


AUDIO_FORMATS = {"mp3": ("mp3", "mp3", "audio/mpeg"), "wav": ("wav", "pcm_s16le", "audio/wav"),
                 "m4a": ("ipod", "aac", "audio/mp4"), "flac": ("flac", "flac", "audio/flac")}
"""Extension: (FFmpeg muxer, codec, the media type c2pa signs it as)."""


def _audio(path: Path, tags: dict[str, str]) -> Path:
    """A second of silence in the format its extension names, with container tags (ID3 in MP3)."""
    muxer, codec, _ = AUDIO_FORMATS[path.suffix[1:]]
    with av.open(str(path), "w", format=muxer) as container:
        container.metadata.update(tags)
        stream = container.add_stream(codec, rate=16000)
        stream.layout = "mono"
        for index in range(14):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1152), dtype=np.int16), format="s16", layout="mono")
            frame.sample_rate, frame.pts = 16000, index * 1152
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def test_audio_gets_provenance_from_its_tags(tmp_path: Path) -> None:
    labelled = _audio(tmp_path / "voice.mp3", {"AIGC": json.dumps({"Label": "1", "ContentProducer": "benign-service"}), "comment": "private words"})
    record = records(clearsight("scan", str(labelled), "--db", str(tmp_path / "a.db"), "--format", "jsonl").stdout)[0]
    assert (record["media_type"], record["provenance"]["verdict"]) == ("audio", "ai")
    assert "private words" not in json.dumps(record)


@pytest.mark.parametrize("extension", sorted(AUDIO_FORMATS))
def test_a_c2pa_manifest_signed_into_audio_by_c2pa_python_is_read(tmp_path: Path, extension: str) -> None:
    ca = CertificateAuthority.create()
    signed = tmp_path / f"signed.{extension}"
    signed.write_bytes(ca.sign(_audio(tmp_path / f"plain.{extension}", {}).read_bytes(), AUDIO_FORMATS[extension][2], "trainedAlgorithmicMedia"))
    item = item_of(signed.read_bytes(), str(signed))
    identify(item, Settings())
    verdict = explain(item, replace(Settings(), c2pa_trust_anchors=ca.write_anchors(tmp_path)))
    assert (item.result.media_type, verdict.verdict, verdict.strength, sources(verdict)["c2pa"].claims["state"]) == ("audio", "ai", Strength.PROOF, "trusted")


def test_audio_without_provenance_is_unknown_and_a_damaged_file_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    plain = _audio(tmp_path / "plain.mp3", {})
    scanned = records(clearsight("scan", str(plain), "--db", str(tmp_path / "p.db"), "--format", "jsonl").stdout)[0]
    assert scanned["provenance"]["verdict"] == "unknown"
    damaged = item_of(plain.read_bytes()[:600] + b"\xff" * 50, "damaged.mp3")
    identify(damaged, Settings())
    assert damaged.result.media_type == "audio"
    assert explain(damaged, Settings()).verdict == "unknown"
