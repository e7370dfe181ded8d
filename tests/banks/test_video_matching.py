"""Known videos in banks: vPDQ files in and out, clips found in the videos they were cut from with
the segment times, and stills found in videos (and known images in scanned videos)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image

from clearsight.banks.video_match import compare
from tests.cli_runner import clearsight, records
from tests.conftest import REFERENCE
from tests.video_factory import FPS, frame_at, write_video

CHAIR = REFERENCE / "vpdq" / "chair-19-sd-bar"


def _video_matches(record: dict[str, Any], signal: str = "vpdq") -> list[dict[str, Any]]:
    return [match for match in record["matches"] if match["signal"] == signal]


def test_a_clip_is_found_in_the_video_it_was_cut_from_with_the_segment_times(db: str, tmp_path: Path) -> None:
    long_video = write_video(tmp_path / "long.mp4", range(40 * FPS))
    (tmp_path / "scan").mkdir()
    write_video(tmp_path / "scan" / "clip.mp4", range(15 * FPS, 25 * FPS))
    write_video(tmp_path / "scan" / "other.mp4", range(100 * FPS, 110 * FPS))
    clearsight("bank", "create", "known-videos", "--db", db)
    clearsight("bank", "import", "known-videos", str(long_video), "--db", db)
    scanned = {Path(r["path"]).name: r for r in records(clearsight("scan", str(tmp_path / "scan"), "--db", db, "--format", "jsonl", "--vpdq-fps", "1").stdout)}
    assert scanned["clip.mp4"]["vpdq"]["frames"] == 10 and scanned["clip.mp4"]["vpdq"]["sampled_fps"] == 1.0
    assert abs(scanned["clip.mp4"]["vpdq"]["duration"] - 10) < 0.5
    (match,) = _video_matches(scanned["clip.mp4"])
    assert (match["bank"], match["ref"], match["query_percent"]) == ("known-videos", "long", 100.0)
    assert 0 < match["target_percent"] < 25  # the clip is sampled once a second, the known video hashed at every frame
    (segment,) = match["segments"]
    assert segment[0] == 0.0 and abs(segment[1] - 9) <= 0.5
    assert abs(segment[2] - 15) <= 0.5 and abs(segment[3] - 24) <= 0.5
    assert _video_matches(scanned["other.mp4"]) == []


def test_stills_are_found_in_known_videos_and_known_images_in_scanned_videos(db: str, tmp_path: Path) -> None:
    video = write_video(tmp_path / "video.mp4", range(20 * FPS))
    clearsight("bank", "create", "known", "--db", db)
    clearsight("bank", "import", "known", str(video), "--db", db)
    still = tmp_path / "still.png"
    Image.fromarray(frame_at(12 * FPS + 3)).save(still)
    found = json.loads(clearsight("match", str(still), "--db", db, "--format", "json").stdout)
    (match,) = _video_matches(found)
    assert match["ref"] == "video" and match["segments"][0][:2] == [None, None]
    assert 11.9 <= match["segments"][0][2] <= match["segments"][0][3] <= 13.1
    sampled_still = tmp_path / "sampled.png"  # the scan hashes the first frame of each second
    Image.fromarray(frame_at(12 * FPS)).save(sampled_still)
    pdq = json.loads(clearsight("match", str(sampled_still), "--db", db, "--format", "json").stdout)["hashes"]["pdq"]
    clearsight("bank", "create", "images", "--db", db)
    clearsight("bank", "add", "images", pdq, "--type", "pdq", "--ref", "the-still", "--db", db)
    scanned = records(clearsight("scan", str(video), "--db", db, "--format", "jsonl", "--bank", "images").stdout)[0]
    (frame_match,) = _video_matches(scanned, "pdq")
    assert frame_match["ref"] == "the-still"
    assert [segment[2:] for segment in frame_match["segments"]] == [[None, None]] * len(frame_match["segments"])
    assert any(start <= 12 <= end for start, end, _, _ in frame_match["segments"])


def test_vpdq_files_round_trip_and_stay_out_of_hash_list_exports(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    clearsight("bank", "create", "v", "--db", db)
    imported = clearsight("bank", "import", "v", str(CHAIR) + ".txt", "--db", db)
    assert "as vpdq" in imported.stderr
    again = clearsight("bank", "import", "v", str(CHAIR) + ".txt", "--db", db)
    assert "Imported 0 entries" in again.stderr
    clearsight("bank", "add", "v", "0" * 32, "--db", db)
    out = tmp_path / "chair.txt"
    clearsight("bank", "export", "v", str(out), "--format", "vpdq", "--ref", "chair-19-sd-bar", "--db", db)
    assert out.read_text().split() == (Path(str(CHAIR) + ".txt")).read_text().split()
    csv_export = clearsight("bank", "export", "v", "-", "--db", db)
    assert csv_export.stdout.count("\n") == 2  # header and the md5 entry
    assert "1 video entries were left out" in csv_export.stderr


def test_bad_vpdq_lines_are_rejected_one_by_one(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    lines = (Path(str(CHAIR) + ".txt")).read_text().splitlines()
    broken = tmp_path / "broken.txt"
    broken.write_text("\n".join([*lines[:5], "5,100,nothex,0.2", "6,101," + "a" * 64 + ",0.2", *lines[7:10]]) + "\n")
    clearsight("bank", "create", "v", "--db", db)
    done = clearsight("bank", "import", "v", str(broken), "--format", "vpdq", "--db", db)
    assert "2 rows rejected" in done.stderr
    assert "row 6" in done.stderr and "row 7" in done.stderr


def test_at_the_default_settings_the_reference_videos_match_chair_19_as_the_reference_hashes_say(tmp_path: Path) -> None:
    """The vPDQ reference's own verdicts (from its every-frame hashes, 80% of the query's frames)
    hold for videos scanned at the default settings, whether the bank holds the reference's
    hashes of chair-19-sd-bar or Clearsight's own."""
    folder = REFERENCE / "vpdq"
    names = sorted(path.stem for path in folder.glob("*.mp4"))
    reference = {name: [line.split(",") for line in (folder / f"{name}.txt").read_text().split()] for name in names}
    expected = {name: compare(reference[name], reference[CHAIR.name]).is_match() for name in names}
    assert expected == {"chair-19-sd-bar": True, "chair-22-sd-grey-bar": True, "chair-22-with-small-logo-bar": True, "doorknob-hd-no-bar": False}
    db = str(tmp_path / "case.db")
    for bank, source in (("reference", str(CHAIR) + ".txt"), ("own", str(CHAIR) + ".mp4")):
        clearsight("bank", "create", bank, "--db", db)
        clearsight("bank", "import", bank, source, "--db", db)
    scanned = {Path(r["path"]).stem: r for r in records(clearsight("scan", *(str(folder / f"{name}.mp4") for name in names), "--db", db, "--format", "jsonl").stdout)}
    for name in names:
        banks = sorted(match["bank"] for match in _video_matches(scanned[name]))
        assert banks == (["own", "reference"] if expected[name] else []), name
