"""`clearsight export hashes|case|urls|inhope|cybertip`: what partners read. Every export is audited."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from clearsight.assess.audit import AuditLog, cli_actor
from clearsight.cli.app import DbOption, app, console
from clearsight.config import load_settings
from clearsight.export.bundle import write_bundle
from clearsight.export.cybertip import write_cybertip
from clearsight.export.graded_hashes import export_graded
from clearsight.export.inhope_forward import forward_document
from clearsight.export.url_list import write_url_list
from clearsight.inert import shown
from clearsight.store.db import open_engine

export_app = typer.Typer(help="Exports partners take in: hash lists, case bundles, URL lists, INHOPE forwards and CyberTipline reports.", no_args_is_help=True)
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


@export_app.command("urls")
def urls_command(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the list (one URL or digest per line).")],
    db: DbOption = None,
    hashed: Annotated[bool, typer.Option("--hashed", help="Write the SHA-256 of each normalised URL instead of the URL.")] = False,
) -> None:
    """The blocking list: URLs of reports with a confirmed criminal item that are still live by their last observation."""
    engine = open_engine(load_settings(db).db)
    with file.open("w", encoding="utf-8", newline="\n") as stream:
        written = write_url_list(engine, stream, hashed)
    AuditLog(engine).append(cli_actor(), "export.urls", file.name, {"hashed": hashed, "entries": written})
    console.print(f"{written:,} {'digests' if hashed else 'URLs'} written to {shown(file)}")


@export_app.command("inhope")
def inhope_command(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the forward (JSON).")],
    reports: Annotated[list[int], typer.Option("--report", help="A report to forward (repeatable).")],
    hotline: Annotated[str, typer.Option("--hotline", help="The forwarding hotline's name, as its partners know it.")],
    db: DbOption = None,
) -> None:
    """An INHOPE-style forward of reports: their fields, lifecycle and items' hashes with confirmed grades; no media."""
    engine = open_engine(load_settings(db).db)
    document = forward_document(engine, reports, hotline)
    file.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    AuditLog(engine).append(cli_actor(), "export.inhope", file.name, {"reports": reports})
    console.print(f"{len(reports)} report(s) written to {shown(file)}")


@export_app.command("cybertip")
def cybertip_command(
    folder: Annotated[Path, typer.Argument(file_okay=False, help="Where to write report.xml and one file-ITEM.xml per criminal item.")],
    report: Annotated[int, typer.Option("--report", help="The report to file with NCMEC.")],
    reporter_email: Annotated[str, typer.Option("--reporter-email", help="The reporting person's email, as NCMEC knows it.")],
    db: DbOption = None,
) -> None:
    """A NCMEC CyberTipline report in the Reporting API's XML (checked against its schema): the incident, URL and file details with hashes; no media."""
    engine = open_engine(load_settings(db).db)
    written = write_cybertip(engine, report, reporter_email, folder)
    AuditLog(engine).append(cli_actor(), "export.cybertip", str(report), {"files": len(written.files)})
    console.print(f"CyberTipline report with {len(written.files)} file document(s) written to {shown(folder)}")
