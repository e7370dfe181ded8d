"""`clearsight explain FILE`: the provenance evidence for one file, for an analyst to read.

Prompts are evidence but may describe the content, so they are shown only with
`--show-prompts`, and only for the one file asked about.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from clearsight.cli.app import DbOption, TrustOption, app, console, output
from clearsight.cli.scan import with_trust
from clearsight.config import load_settings
from clearsight.errors import ClearsightError, ItemError
from clearsight.inert import json_text
from clearsight.inert import shown as shown_text
from clearsight.intake.walk import Entry
from clearsight.media.contact_sheet import contact_sheet
from clearsight.media.identify import identify
from clearsight.modelfiles import inspect
from clearsight.pipeline.process import open_entry
from clearsight.provenance.stage import explain, public, verdict_record
from clearsight.store.db import open_engine
from clearsight.store.provenance import LinkStore

HEADLINES = {
    "ai": "AI-generated",
    "camera": "camera capture (verified provenance)",
    "unknown": "unknown: no verdict can be drawn (absence of AI signals is not evidence of a photograph)",
}


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"


def _claims_text(claims: dict[str, Any]) -> str:
    shown = {key: value for key, value in claims.items() if key not in ("ai_generated", "tool", "model", "model_hash", "loras")}
    return "\n".join(shown_text(f"{key}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}") for key, value in shown.items())


def _print_provenance(record: dict[str, Any]) -> None:
    output.print(f"[bold]Verdict:[/] {HEADLINES[record['verdict']]}" + (f" [bold]({record['strength']})[/]" if record["strength"] else ""))
    if record.get("conflict"):
        output.print("[bold red]Strong evidence points both ways; an analyst must weigh it.[/]")
    for label, key in (("Tool", "tool"), ("Model", "model"), ("Model hash", "model_hash")):
        if record.get(key):
            output.print(f"{label}: {shown_text(record[key])}")
    for lora in record.get("loras") or []:
        output.print(f"LoRA: {shown_text(lora['name'])}  hash {shown_text(lora['hash'] or '-')}  weight {shown_text(lora['weight'] if lora['weight'] is not None else '-')}")
    for link in record.get("links") or []:
        output.print(f"Linked model file: {shown_text(link['model_file'])} (via {shown_text(link['via'])})")
    if not record["evidence"]:
        output.print("No provenance signals were found in this file.")
        return
    table = Table("source", "strength", "says", "details", title="Evidence, strongest first")
    for evidence in record["evidence"]:
        claims = evidence["claims"]
        says = {True: "AI-generated", False: "captured", None: "-"}[claims.get("ai_generated")]
        details = evidence.get("unreadable") and shown_text(f"unreadable: {evidence['unreadable']}") or _claims_text(claims)
        if evidence.get("hidden"):
            details += "\n" + shown_text(f"({', '.join(evidence['hidden'])} hidden; --show-prompts to see them)")
        table.add_row(shown_text(evidence["source"]), shown_text(evidence["strength"]), says, details)
    output.print(table)


def _links(db: str | None, record: dict[str, Any]) -> list[dict[str, str]]:
    """Links to model files already in the case database, if there is one."""
    settings = load_settings(db)
    if db is None and "://" not in settings.db and not Path(settings.db).exists():
        return []
    return LinkStore(open_engine(settings.db)).links_for(record)


@app.command("explain")
def explain_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The image or model file to explain.")],
    show_prompts: Annotated[bool, typer.Option("--show-prompts", help="Also show generation prompts and training captions (sensitive).")] = False,
    fmt: Annotated[ExplainFormat, typer.Option("--format", help="text for reading, json for scripts.")] = ExplainFormat.text,
    db: DbOption = None,
    trust_anchors: TrustOption = None,
    sheet: Annotated[Path | None, typer.Option("--contact-sheet", help="For a video: write a grid of its frames with their times to this PNG file.")] = None,
    blur: Annotated[float, typer.Option("--blur", min=0, help="Blur radius of contact-sheet frames, in pixels; 0 for none.")] = 8.0,
    colour: Annotated[bool, typer.Option("--colour", help="Contact-sheet frames in colour (greyscale by default).")] = False,
) -> None:
    """Explain how one file was made: the verdict, each piece of evidence and how strong it is.

    For videos, --contact-sheet FILE writes keyframes with their times (blurred and greyscale
    unless asked otherwise), to assess a video without playing it."""
    settings = with_trust(load_settings(db), trust_anchors)
    status = file.stat()
    try:
        item = open_entry(Entry(str(file), status.st_size, status.st_mtime_ns), settings)
        identify(item, settings)
        if item.result.media_type == "model":
            inspect.inspect_model(item, settings)
    except ItemError as exc:
        raise ClearsightError(f"{file}: {exc}") from None
    except OSError as exc:
        raise ClearsightError(f"{file}: cannot read: {exc.strerror or exc}") from None
    if item.result.modelfile is not None:
        modelfile = inspect.public(item.result.modelfile, show_sensitive=show_prompts)
        if fmt is ExplainFormat.json:
            print(json_text({"path": str(file), "modelfile": modelfile}))
        else:
            output.print_json(json_text(modelfile))
        return
    if item.result.media_type not in ("image", "video"):
        raise ClearsightError(f"{file} is {item.result.media_type} ({item.result.mime or 'unrecognised'}); explain reads images, videos and model files")
    if sheet is not None:
        if item.result.media_type != "video":
            raise ClearsightError("--contact-sheet is for videos")
        try:
            contact_sheet(str(file), blur=blur, greyscale=not colour).save(sheet)
        except ItemError as exc:
            raise ClearsightError(f"{file}: {exc}") from None
        console.print(f"Contact sheet written to {sheet} ({'colour' if colour else 'greyscale'}, blur {blur:g}).")
    stored = verdict_record(explain(item, settings))
    record = public(stored, show_prompts=show_prompts)
    record["links"] = _links(db, stored)
    if fmt is ExplainFormat.json:
        print(json_text({"path": str(file), "provenance": record}))
    else:
        _print_provenance(record)
