"""`clearsight export hashes|case`: what partners read. Every export is audited."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from clearsight.assess.audit import AuditLog, cli_actor
from clearsight.cli.app import DbOption, app, console
from clearsight.config import load_settings
from clearsight.export.bundle import write_bundle
from clearsight.export.graded_hashes import export_graded
from clearsight.inert import shown
from clearsight.store.db import open_engine

export_app = typer.Typer(help="Exports of graded items: hash lists and case bundles.", no_args_is_help=True)
app.add_typer(export_app, name="export")


class HashListFormat(str, Enum):
    csv = "csv"
    vics = "vics"
    ncmec = "ncmec"


@export_app.command("hashes")
def hashes_command(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the hash list.")],
    db: DbOption = None,
    fmt: Annotated[HashListFormat, typer.Option("--format", help="csv (UK category), vics (VICS 2.0 JSON), ncmec (NCMEC XML, A1-B2).")] = HashListFormat.csv,
    year: Annotated[int | None, typer.Option("--year", help="Only items assessed in this year.")] = None,
) -> None:
    """The hashes of items with a confirmed grade, labelled in the format's own scheme."""
    engine = open_engine(load_settings(db).db)
    with file.open("w", encoding="utf-8", newline="") as stream:
        written = export_graded(engine, fmt.value, stream, year)
    AuditLog(engine).append(cli_actor(), "export.hashes", file.name, {"format": fmt.value, "year": year, "entries": written})
    console.print(f"{written:,} entries written to {file}")


@export_app.command("case")
def case_command(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the bundle (a zip).")],
    db: DbOption = None,
    reports: Annotated[list[int] | None, typer.Option("--report", help="Only this report (repeatable). [default: every report]", show_default=False)] = None,
    with_media: Annotated[bool, typer.Option("--with-media", help="Include the media files themselves (never included otherwise).")] = False,
) -> None:
    """A case bundle: reports, items, evidence, grades and audit entries, with a manifest of SHA-256s."""
    engine = open_engine(load_settings(db).db)
    bundle = write_bundle(engine, file, reports or None, with_media)
    AuditLog(engine).append(cli_actor(), "export.case", file.name, {"reports": reports or "all", "with_media": with_media, "members": len(bundle.manifest),
                                                                     "media_changed": [item["id"] for item in bundle.media_changed]})
    for item in bundle.media_changed:
        console.print(f"[bold]Left out:[/] item {item['id']} ({shown(item['path'])}) changed since it was scanned; re-scan it to export it.")
    console.print(f"Case bundle written to {shown(file)} ({len(bundle.manifest)} members besides the manifest)")
