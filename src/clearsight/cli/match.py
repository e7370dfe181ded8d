"""`clearsight match`: check one hash or one file against the banks."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from clearsight.banks.matcher import MIN_QUALITY, Match, Matcher, MatchOptions, MatchReport
from clearsight.banks.snapshot import snapshot_path
from clearsight.banks.video_match import MATCH_PERCENT
from clearsight.cli.app import DbOption, TextOrJson, app, console, output
from clearsight.cli.bank import TypeOption, parse_hash
from clearsight.config import Settings, database_url, load_settings
from clearsight.errors import ClearsightError
from clearsight.inert import add_inert_row, shown
from clearsight.intake.walk import Entry
from clearsight.item import ItemResult
from clearsight.pipeline.process import process_entry
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine

BankOption = Annotated[list[str] | None, typer.Option("--bank", help="Match only against this bank (repeatable). [default: every enabled bank]", show_default=False)]
DistanceOption = Annotated[int | None, typer.Option("--distance", min=0, max=128, help="PDQ distance for every bank instead of each bank's own.")]
DihedralOption = Annotated[bool, typer.Option("--dihedral", help="Also match every rotation and mirror image of images (flipped or rotated re-uploads).")]
MinQualityOption = Annotated[int, typer.Option("--min-quality", min=0, max=100, help="PDQ hashes below this quality are not matched.")]
VideoPercentOption = Annotated[float, typer.Option("--video-percent", min=0, max=100, help="Share of a video's frames that must match a known video.")]
VpdqFpsOption = Annotated[float, typer.Option("--vpdq-fps", min=0, help="Video frames hashed per second of video (0: every frame).")]


def open_matcher(settings: Settings, banks: list[str] | None, distance: int | None, min_quality: int, video_percent: float = MATCH_PERCENT) -> Matcher:
    """A matcher over the case database's banks with the command's options."""
    snapshot = snapshot_path(settings.cache_dir, database_url(settings.db), "pdq")
    return Matcher(BankStore(open_engine(settings.db)), MatchOptions(tuple(banks or ()), distance, min_quality, video_percent), snapshot)


def _hash_file(path: Path, settings: Settings) -> ItemResult:
    stat = path.stat()
    result = process_entry(Entry(str(path), stat.st_size, stat.st_mtime_ns), settings)[0]
    if result.errors and not result.hashes:
        raise ClearsightError(f"cannot hash {path}: {result.error}")
    return result


def _print_report(subject: str, report: MatchReport) -> None:
    if not (report.matches or report.allowlisted):
        output.print(f"{shown(subject)}: no match", highlight=False)
    table = Table("bank", "signal", "distance", "classification", "ref", "transform", "where (s)", "status", title=shown(subject) if report.matches or report.allowlisted else None)
    for status, matches in (("match", report.matches), ("allowlisted", report.allowlisted), ("suppressed by allowlist", report.suppressed)):
        for match in matches:
            add_inert_row(table, match.bank, match.signal, str(match.distance), match.classification or "-", match.ref or "-", match.transform or "-",
                          _where(match), status)
    if table.row_count:
        output.print(table)
    for note in report.notes:
        console.print(shown(note), highlight=False)


def _where(match: Match) -> str:
    """Matched segments as `query start-end -> known start-end`, for video matches."""
    if not match.segments:
        return "-"

    def span(start: float | None, end: float | None) -> str:
        return "still" if start is None else f"{start:.1f}-{end:.1f}"

    text = ", ".join(f"{span(q0, q1)} -> {span(t0, t1)}" for q0, q1, t0, t1 in match.segments[:3])
    if match.query_percent is not None:
        text += f" ({match.query_percent:.0f}% of query frames, {match.target_percent or 0:.0f}% of known)"
    return text + (" ..." if len(match.segments) > 3 else "")


@app.command("match")
def match_command(
    value_or_file: Annotated[str, typer.Argument(metavar="VALUE_OR_FILE", help="A hash (md5, sha1, sha256, pdq) or a file to hash and match.")],
    db: DbOption = None,
    signal: TypeOption = None,
    banks: BankOption = None,
    distance: DistanceOption = None,
    dihedral: DihedralOption = False,
    min_quality: MinQualityOption = MIN_QUALITY,
    video_percent: VideoPercentOption = MATCH_PERCENT,
    vpdq_fps: VpdqFpsOption = 0.0,
    fmt: Annotated[TextOrJson, typer.Option("--format")] = TextOrJson.text,
) -> None:
    """Match one hash or one file (image, video...) against the banks."""
    settings = replace(load_settings(db), pdq_dihedral=dihedral, vpdq_fps=vpdq_fps)
    matcher = open_matcher(settings, banks, distance, min_quality, video_percent)
    if os.path.isfile(value_or_file):
        result = _hash_file(Path(value_or_file), settings)
        hashes, qualities, variants, video = result.hashes, result.qualities, result.variants.get("pdq"), (result.vpdq or {}).get("hashes")
    else:
        kind, value = parse_hash(value_or_file, signal.value if signal else None)
        hashes, qualities, variants, video = {kind: value}, {}, None, None
        if dihedral:
            console.print("--dihedral needs the image itself (a file): the rotations of a hash value cannot be computed; matching the value as given.")
    report = matcher.match(hashes, qualities, variants, video)
    if fmt is TextOrJson.json:
        print(json.dumps({"query": value_or_file, "hashes": hashes, **report.record()}, indent=1))
    else:
        _print_report(value_or_file, report)
