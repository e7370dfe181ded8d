"""`clearsight records import FILE`: URL reports from a hotline's CSV or JSON Lines export, with
the items already graded in that system (migration), one report per line (CSV: per row, rows of
one report_id merged).

Bad rows are listed (row number and reason) and skipped; the good ones are imported, and the
command still succeeds, as a scan with per-item errors does.

This is an administrator's migration, run on the case database itself: the imported grades stay
`confirmed` as they were in the system they come from, and each is audited. The same file
imported in the web app gives `pending` grades that a second person must confirm.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from clearsight.assess.audit import AuditLog, cli_actor
from clearsight.cli.app import DbOption, app, console, output
from clearsight.config import load_settings
from clearsight.inert import shown
from clearsight.intake.reports import read_reports
from clearsight.store.db import open_engine
from clearsight.store.grades import CONFIRMED
from clearsight.store.reports import ReportStore

records_app = typer.Typer(help="URL report records (intake): import them from files.", no_args_is_help=True)
app.add_typer(records_app, name="records")


class ReportFileFormat(str, Enum):
    auto = "auto"
    csv = "csv"
    jsonl = "jsonl"


class ResultFormat(str, Enum):
    text = "text"
    json = "json"


@records_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV with a header row, or JSON Lines.")],
    db: DbOption = None,
    file_format: Annotated[ReportFileFormat, typer.Option("--input", help="The file's format.")] = ReportFileFormat.auto,
    fmt: Annotated[ResultFormat, typer.Option("--format", help="json prints the new report ids and the row errors.")] = ResultFormat.text,
) -> None:
    """Import URL reports; each bad row is reported with its number and skipped."""
    engine = open_engine(load_settings(db).db)
    actor = cli_actor()
    store, audit = ReportStore(engine), AuditLog(engine)
    ids, errors = store.import_rows(read_reports(file.read_bytes(), file_format.value), actor, grades_state=CONFIRMED)
    audit.append(actor, "report.import", file.name, {"added": len(ids), "row_errors": len(errors)})
    audit.append_many(actor, "grade.import", [(str(item_id), {"report": report_id, "review_state": CONFIRMED, "file": file.name})
                                              for report_id in ids for item_id in store.get(report_id)["items"]])
    if fmt is ResultFormat.json:
        output.print_json(json.dumps({"reports": ids, "errors": [{"row": error.row, "message": error.message} for error in errors]}))
        return
    for error in errors:
        console.print(f"row {error.row}: {shown(error.message)}", highlight=False)
    console.print(f"imported {len(ids)} report(s), {len(errors)} row(s) refused")
