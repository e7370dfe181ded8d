"""`clearsight scan`: hash folders and archives into the case database."""

from __future__ import annotations

import contextlib
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from clearsight.banks.matcher import MIN_QUALITY, Matcher, MatchQuery, MatchReport
from clearsight.banks.video_match import MATCH_PERCENT
from clearsight.cameras.manage import with_cameras
from clearsight.cli.app import DbOption, RecordFormat, TrustOption, app, console
from clearsight.cli.match import BankOption, DihedralOption, DistanceOption, MinQualityOption, VideoPercentOption, VpdqFpsOption, open_matcher
from clearsight.config import Settings, load_settings
from clearsight.detectors.manage import with_detectors
from clearsight.errors import ClearsightError
from clearsight.item import ItemResult
from clearsight.pipeline.driver import ScanSummary, scan
from clearsight.pipeline.executor import Executor
from clearsight.pipeline.local import LocalExecutor
from clearsight.pipeline.output import RecordWriter
from clearsight.pipeline.process import process_entry
from clearsight.pipeline.ray import RayExecutor
from clearsight.provenance.authenticity.record import with_authenticity
from clearsight.provenance.stage import public
from clearsight.store.cameras import CameraStore
from clearsight.store.db import open_engine
from clearsight.store.linking import refs as model_refs
from clearsight.store.provenance import LinkStore


class Engine(str, Enum):
    local = "local"
    ray = "ray"


class RichProgress:
    """The driver's progress listener: files and bytes, with rate and time left."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.files: TaskID | None = None
        self.bytes: TaskID | None = None

    def start(self, files: int, total_bytes: int) -> None:
        self.files = self.progress.add_task("files", total=files)
        self.bytes = self.progress.add_task("bytes", total=total_bytes)

    def advance(self, files: int, done_bytes: int) -> None:
        if self.files is not None and self.bytes is not None:
            self.progress.advance(self.files, files)
            self.progress.advance(self.bytes, done_bytes)


def summary_table(summary: ScanSummary) -> Table:
    """The end-of-scan summary: counts by type, errors, duration, rate."""
    table = Table(title=f"Scan run {summary.run_id}" + (" (resumed)" if summary.resumed else ""), show_footer=False)
    table.add_column("media type")
    table.add_column("items", justify="right")
    for media_type, count in sorted(summary.by_type.items()):
        table.add_row(media_type, f"{count:,}")
    table.add_section()
    table.add_row("total", f"{summary.items:,}")
    table.add_row("with errors", f"{summary.errors:,}")
    table.add_row("already recorded, not redone", f"{summary.reused:,}")
    if summary.changed:
        table.add_row("changed since recorded (new versions)", f"{summary.changed:,}")
    table.add_row("duration", f"{summary.seconds:.1f} s")
    table.add_row("processed per second", f"{summary.items_per_second:,.1f}")
    return table


def local_executor(settings: Settings, workers: int | None) -> LocalExecutor:
    """The local process pool, its fork server already importing the stages (`process_entry`'s module)."""
    return LocalExecutor(workers, memory_bytes=settings.limits.max_worker_bytes, preload=(process_entry.__module__,))


def run_scan(
    paths: list[str],
    settings: Settings,
    workers: int | None,
    out: TextIO | None,
    fmt: RecordFormat,
    matcher: Matcher,
    only: Callable[[ItemResult], bool] | None = None,
    executor: Executor | None = None,
) -> ScanSummary:
    """Scan with a progress bar on stderr, records to `out` (those `only` accepts) with their
    matches and model links, and print the summary table."""
    writer = RecordWriter(out, fmt.value) if out is not None else None
    links = LinkStore(open_engine(settings.db))
    counts: Counter[str] = Counter()
    scanned_on = datetime.now(UTC).date()
    held: list[tuple[ItemResult, dict[str, Any]]] = []
    """Records of items that name model files, written once the whole scan is in the store: their
    links then include the model files the walk reached after them (a LoRA sorted after the images
    it made). Holding them, rather than identifying model files first, keeps one pass over the
    files; it costs a few kilobytes of memory per such record until the scan ends."""

    def write(result: ItemResult, extra: dict[str, Any]) -> None:
        if result.provenance is not None:
            extra["provenance"] = with_authenticity(public(result.provenance) | {"links": links.links_for(result.provenance)}, extra["matches"],
                                                    scanned_on, settings.generators_since)
            counts["linked to a model file"] += bool(extra["provenance"]["links"])
        if writer is not None and (only is None or only(result)):
            writer.write(result, extra)

    def emit(results: list[ItemResult]) -> None:
        reports = matcher.match_many([MatchQuery(result.hashes, result.qualities, result.variants.get("pdq") or {}, (result.vpdq or {}).get("hashes"))
                                      for result in results])
        for result, report in zip(results, reports, strict=True):
            emit_one(result, report)

    def emit_one(result: ItemResult, report: MatchReport) -> None:
        counts["matched a bank"] += bool(report.matches)
        extra = report.record()
        if result.provenance is not None:
            counts[f"provenance verdict {result.provenance['verdict']}"] += 1
        if result.modelfile is not None:
            counts["model files with dangerous pickle imports"] += bool(result.modelfile.get("unsafe_pickle"))
        if model_refs(result.provenance):
            held.append((result, extra))
        else:
            write(result, extra)

    columns = (TextColumn("{task.description:>5}"), BarColumn(), MofNCompleteColumn(), DownloadColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        try:
            summary = scan(
                paths,
                settings,
                executor or local_executor(settings, workers),
                emit=emit,
                progress=RichProgress(progress),
            )
        except KeyboardInterrupt:
            raise ClearsightError("interrupted; what was committed is kept, run the same command again to resume") from None
    for result, extra in held:
        write(result, extra)
    table = summary_table(summary)
    for label in ("matched a bank", *sorted(key for key in counts if key != "matched a bank")):
        table.add_row(label, f"{counts[label]:,}")
    console.print(table)
    return summary


def with_trust(settings: Settings, trust_anchors: Path | None) -> Settings:
    """Settings with the command line's C2PA trust anchors, when given, over the environment's."""
    return replace(settings, c2pa_trust_anchors=trust_anchors.resolve()) if trust_anchors else settings


@app.command("scan")
def scan_command(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Files and folders to scan (archives are opened).")],
    db: DbOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write one record per item to this file (JSON Lines unless --format csv).")] = None,
    fmt: Annotated[RecordFormat | None, typer.Option("--format", help="Record format; without --out, records go to stdout.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Worker processes. [default: one per core]", show_default=False)] = None,
    banks: BankOption = None,
    distance: DistanceOption = None,
    dihedral: DihedralOption = False,
    min_quality: MinQualityOption = MIN_QUALITY,
    video_percent: VideoPercentOption = MATCH_PERCENT,
    vpdq_fps: VpdqFpsOption = 0.0,
    trust_anchors: TrustOption = None,
    trust_mtime: Annotated[bool, typer.Option("--trust-mtime", help="Reuse recorded files by path, size and mtime without hashing them again (by default a re-scan checks every file's bytes).")] = False,
    engine: Annotated[Engine, typer.Option("--engine", help="Where the stages run: a local process pool, or Ray (the extra clearsight[ray]).")] = Engine.local,
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="Ray cluster to use with --engine ray. [default: start a local one]",
                                                    show_default=False)] = None,
    cameras: Annotated[bool, typer.Option("--cameras", help="Test every image against the case's camera fingerprints (clearsight cameras add).")] = False,
) -> None:
    """Hash files, folders and archives into the case database, resumably, and say how each image was made.

    Re-running the same command resumes an interrupted scan; its output still lists every item once.
    A later scan reuses what was recorded once each file's bytes are checked to be the same; a file
    whose bytes changed is recorded again as a new version.
    """
    settings = with_detectors(with_trust(replace(load_settings(db), pdq_dihedral=dihedral, vpdq_fps=vpdq_fps, trust_mtime=trust_mtime), trust_anchors))
    if cameras:
        settings = with_cameras(settings, CameraStore(open_engine(settings.db)))
    # The local pool's fork server starts importing the stages now, while the matcher is opened.
    executor: Executor = RayExecutor(ray_address, workers) if engine is Engine.ray else local_executor(settings, workers)
    matcher = open_matcher(settings, banks, distance, min_quality, video_percent)
    with contextlib.ExitStack() as stack:
        stream: TextIO | None = None
        if out is not None:
            stream = stack.enter_context(out.open("w", encoding="utf-8", newline=""))
        elif fmt is not None:
            stream = sys.stdout
        run_scan([str(path) for path in paths], settings, workers, stream, fmt or RecordFormat.jsonl, matcher, executor=executor)
