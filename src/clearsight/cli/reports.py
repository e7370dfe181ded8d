"""`clearsight reports update FILE`: takedown lifecycle events in bulk (notices sent, removals
and re-checks from the hotline's crawler), one event per row.

Each bad row is listed with its number and reason and the rest are applied. Rows are committed
in batches, each with its audit entry in the same transaction, and a row already recorded (the
same report, event and time) is skipped: a killed update is resumed by running it again.
Clearsight never fetches reported URLs itself; removal checks come from the hotline's crawler.
"""

from __future__ import annotations

import hashlib
import json
from enum import Enum
from itertools import islice
from pathlib import Path
from typing import Annotated

import typer

from clearsight.assess.audit import AuditLog, cli_actor
from clearsight.banks.formats.base import open_list
from clearsight.cli.app import DbOption, app, console, output
from clearsight.config import load_settings
from clearsight.inert import shown
from clearsight.intake.lifecycle_rows import read_events
from clearsight.store.db import open_engine
from clearsight.store.lifecycle import record_batch
from clearsight.store.records import EventRecord, RowError

reports_app = typer.Typer(help="URL reports: their takedown lifecycle.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")
UPDATE_BATCH = 5_000


class EventFileFormat(str, Enum):
    auto = "auto"
    csv = "csv"
    jsonl = "jsonl"


class ResultFormat(str, Enum):
    text = "text"
    json = "json"


@reports_app.command("update")
def update_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV with a header row (report_id,event,at,to,note), or JSON Lines.")],
    db: DbOption = None,
    file_format: Annotated[EventFileFormat, typer.Option("--input", help="The file's format.")] = EventFileFormat.auto,
    fmt: Annotated[ResultFormat, typer.Option("--format", help="json prints the counts and the row errors.")] = ResultFormat.text,
) -> None:
    """Apply lifecycle events to reports; each bad row is reported with its number and skipped."""
    engine = open_engine(load_settings(db).db)
    actor, audit = cli_actor(), AuditLog(engine)
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    added = already = 0
    errors: list[RowError] = []
    with open_list(file) as stream:
        rows = read_events(stream, file_format.value)
        while batch := list(islice(rows, UPDATE_BATCH)):
            events = [row for row in batch if isinstance(row, EventRecord)]
            errors += [row for row in batch if isinstance(row, RowError)]
            with engine.begin() as conn:
                result = record_batch(conn, events, actor)
                if result.added:
                    audit.append_with(conn, actor, "report.lifecycle", [(file.name, {
                        "file_sha256": digest, "events": result.added, "recorded_at": result.recorded_at.isoformat() if result.recorded_at else None,
                        "lines": [events[0].line, events[-1].line]})])
            added, already, errors = added + result.added, already + result.already, errors + result.errors
    errors.sort(key=lambda error: error.row)
    if fmt is ResultFormat.json:
        output.print_json(json.dumps({"added": added, "already_recorded": already,
                                      "errors": [{"row": error.row, "message": error.message} for error in errors]}))
        return
    for error in errors:
        console.print(f"row {error.row}: {shown(error.message)}", highlight=False)
    console.print(f"applied {added} event(s), {already} already recorded, {len(errors)} row(s) refused")
