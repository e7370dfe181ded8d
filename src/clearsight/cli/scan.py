"""`clearsight scan`: hash folders and archives into the case database."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from clearsight.banks.matcher import MIN_QUALITY, Matcher
from clearsight.cli.app import DbOption, RecordFormat, app, console
from clearsight.cli.match import BankOption, DihedralOption, DistanceOption, MinQualityOption, open_matcher
from clearsight.config import Settings, load_settings
from clearsight.errors import ClearsightError
from clearsight.item import ItemResult
from clearsight.pipeline.driver import ScanSummary, scan
from clearsight.pipeline.local import LocalExecutor
from clearsight.pipeline.output import RecordWriter


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
    table.add_row("duration", f"{summary.seconds:.1f} s")
    table.add_row("processed per second", f"{summary.items_per_second:,.1f}")
    return table


def run_scan(paths: list[str], settings: Settings, workers: int | None, out: TextIO | None, fmt: RecordFormat, matcher: Matcher) -> ScanSummary:
    """Scan with a progress bar on stderr, records to `out` with their matches, and print the summary table."""
    writer = RecordWriter(out, fmt.value) if out is not None else None
    matched = 0

    def emit(result: ItemResult) -> None:
        nonlocal matched
        report = matcher.match(result.hashes, result.qualities, result.variants.get("pdq"))
        matched += bool(report.matches)
        if writer is not None:
            writer.write(result, report.record())

    columns = (TextColumn("{task.description:>5}"), BarColumn(), MofNCompleteColumn(), DownloadColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        try:
            summary = scan(
                paths,
                settings,
                LocalExecutor(workers),
                emit=emit,
                progress=RichProgress(progress),
            )
        except KeyboardInterrupt:
            raise ClearsightError("interrupted; what was committed is kept, run the same command again to resume") from None
    table = summary_table(summary)
    table.add_row("matched a bank", f"{matched:,}")
    console.print(table)
    return summary


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
) -> None:
    """Hash files, folders and archives into the case database, resumably.

    Re-running the same command resumes an interrupted scan; its output still lists every item once.
    """
    settings = replace(load_settings(db), pdq_dihedral=dihedral)
    matcher = open_matcher(settings, banks, distance, min_quality)
    with contextlib.ExitStack() as stack:
        stream: TextIO | None = None
        if out is not None:
            stream = stack.enter_context(out.open("w", encoding="utf-8", newline=""))
        elif fmt is not None:
            stream = sys.stdout
        run_scan([str(path) for path in paths], settings, workers, stream, fmt or RecordFormat.jsonl, matcher)
