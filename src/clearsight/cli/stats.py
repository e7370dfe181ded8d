"""`clearsight stats --year YEAR`: the yearly figures, from confirmed grades, with last year beside them."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from clearsight.assess.audit import AuditLog, cli_actor
from clearsight.cli.app import DbOption, app, console
from clearsight.config import load_settings
from clearsight.errors import ClearsightError
from clearsight.stats import render
from clearsight.stats.yearly import yearly_statistics
from clearsight.store.db import open_engine


class StatsFormat(str, Enum):
    json = "json"
    csv = "csv"
    html = "html"
    pdf = "pdf"


@app.command("stats")
def stats_command(
    year: Annotated[int, typer.Option("--year", min=1990, max=9999, help="The year to report on (last year is shown beside it).")],
    db: DbOption = None,
    fmt: Annotated[StatsFormat, typer.Option("--format", help="json and csv keep every figure unrounded; html and pdf round as published.")] = StatsFormat.json,
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of standard output (needed for pdf).")] = None,
) -> None:
    """The statistics hotlines publish, computed from confirmed grades by the hotline counting rules."""
    engine = open_engine(load_settings(db).db)
    figures = yearly_statistics(engine, year)
    if fmt is StatsFormat.pdf:
        if out is None:
            raise ClearsightError("--format pdf needs --out FILE")
        out.write_bytes(render.to_pdf(figures))
    else:
        text = {StatsFormat.json: render.to_json, StatsFormat.csv: render.to_csv, StatsFormat.html: render.to_html}[fmt](figures)
        if out is None:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        else:
            out.write_text(text, encoding="utf-8")
    AuditLog(engine).append(cli_actor(), "export.stats", str(year), {"format": fmt.value, "out": str(out) if out else None})
    if out is not None:
        console.print(f"Statistics for {year} written to {out}")
