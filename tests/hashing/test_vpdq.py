"""vPDQ hashing against the ThreatExchange reference vectors, sampling, pruning and limits."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from clearsight.banks.video_match import compare
from clearsight.config import Limits, Settings
from clearsight.errors import ItemError
from clearsight.hashing.vpdq import FrameHash, hash_video, vpdq_frames
from clearsight.item import Item, ItemResult
from tests.conftest import REFERENCE
from tests.video_factory import FPS, write_video

SAMPLES = ("chair-19-sd-bar", "chair-22-sd-grey-bar", "chair-22-with-small-logo-bar", "doorknob-hd-no-bar")
CHAIRS = SAMPLES[:3]


def _hash(path: Path | str, fps: float = 0, limits: Limits | None = None) -> list[list[Any]]:
    frames: list[FrameHash] = []
    vpdq_frames(str(path), replace(Settings(), vpdq_fps=fps, limits=limits or Limits()), frames)
    return [frame.row() for frame in frames]


def _reference(folder: Path, name: str) -> list[list[Any]]:
    return [line.split(",") for line in (folder / f"{name}.txt").read_text().split()]


@pytest.fixture(scope="module")
def every_frame() -> dict[str, list[list[Any]]]:
    return {name: _hash(REFERENCE / "vpdq" / f"{name}.mp4") for name in SAMPLES}


@pytest.mark.parametrize("name", SAMPLES)
def test_each_sample_matches_its_reference_hashes_both_ways(reference: Path, every_frame: dict[str, list[list[Any]]], name: str) -> None:
    ours, theirs = every_frame[name], _reference(reference / "vpdq", name)
    assert compare(ours, theirs).query_percent >= 80
    assert compare(theirs, ours).query_percent >= 80


@pytest.mark.parametrize("name", SAMPLES)
def test_one_frame_a_second_still_matches_the_reference(reference: Path, name: str) -> None:
    sampled = _hash(reference / "vpdq" / f"{name}.mp4", fps=1)
    assert len(sampled) < len(_reference(reference / "vpdq", name)) / 10
    assert compare(sampled, _reference(reference / "vpdq", name)).query_percent >= 80


def test_chair_variants_match_each_other_and_the_doorknob_matches_none(every_frame: dict[str, list[list[Any]]]) -> None:
    for query in CHAIRS:
        for target in CHAIRS:
            assert compare(every_frame[query], every_frame[target]).query_percent >= 80, (query, target)
        assert compare(every_frame[query], every_frame["doorknob-hd-no-bar"]).query_percent == 0
        assert compare(every_frame["doorknob-hd-no-bar"], every_frame[query]).query_percent == 0


def test_sampling_pruning_and_timestamps(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.mp4", range(12 * FPS))
    sampled = _hash(video, fps=1)
    assert [round(frame[3]) for frame in sampled] == list(range(12))
    still = write_video(tmp_path / "still.mp4", range(1))  # a single frame
    assert len(_hash(still)) == 1
    frozen = write_video(tmp_path / "frozen.mp4", range(1 * FPS), codec="mpeg4")
    assert len(_hash(frozen)) <= FPS  # near-identical consecutive frames are pruned, never added twice


def test_limits_give_an_error_and_keep_what_was_hashed(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.mp4", range(8 * FPS))
    with pytest.raises(ItemError, match="CLEARSIGHT_MAX_VIDEO_PIXELS"):
        _hash(video, limits=Limits(max_video_pixels=100 * 100))
    item = Item(ItemResult(path=str(video), size=video.stat().st_size, mtime_ns=0, media_type="video"), fs_path=str(video))
    with pytest.raises(ItemError, match="CLEARSIGHT_MAX_VIDEO_SECONDS"):
        hash_video(item, replace(Settings(), vpdq_fps=1, limits=Limits(max_video_seconds=3)))
    assert item.result.vpdq is not None and 3 <= item.result.vpdq["frames"] <= 5
    with pytest.raises(ItemError, match="CLEARSIGHT_MAX_VIDEO_FRAMES"):
        hash_video(item, replace(Settings(), vpdq_fps=1, limits=Limits(max_video_frames=2 * FPS)))
    assert item.result.vpdq is not None and 1 <= item.result.vpdq["frames"] <= 2


def test_a_truncated_video_is_an_error_not_a_crash(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.mp4", range(4 * FPS))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(video.read_bytes()[: video.stat().st_size // 3])
    item = Item(ItemResult(path=str(cut), size=cut.stat().st_size, mtime_ns=0, media_type="video"), fs_path=str(cut))
    try:
        hash_video(item, Settings())
    except ItemError as exc:
        assert "video" in str(exc)
