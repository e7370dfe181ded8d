"""`clearsight explain FILE`: the provenance evidence for one file, for an analyst to read.

Prompts are evidence but may describe the content, so they are shown only with
`--show-prompts`, and only for the one file asked about.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from clearsight.banks.matcher import MIN_QUALITY
from clearsight.cameras.manage import scan_runs
from clearsight.cli.app import DbOption, TextOrJson, TrustOption, app, console, output
from clearsight.cli.match import open_matcher
from clearsight.cli.scan import with_trust
from clearsight.config import Settings, load_settings
from clearsight.errors import ClearsightError, ItemError
from clearsight.hashing.stage import hash_digests, hash_perceptual
from clearsight.inert import json_text
from clearsight.inert import shown as shown_text
from clearsight.intake.walk import Entry
from clearsight.item import Item
from clearsight.media.contact_sheet import contact_sheet
from clearsight.media.identify import identify
from clearsight.modelfiles import inspect
from clearsight.pipeline.process import open_entry
from clearsight.provenance.authenticity.record import with_authenticity
from clearsight.provenance.authenticity.report import report_context, write_report
from clearsight.provenance.evidence import VERDICT_HEADLINES
from clearsight.provenance.stage import explain, public, verdict_record
from clearsight.store.cameras import CameraStore
from clearsight.store.db import open_engine
from clearsight.store.provenance import LinkStore


def _claims_text(claims: dict[str, Any]) -> str:
    shown = {key: value for key, value in claims.items() if key not in ("ai_generated", "tool", "model", "model_hash", "loras")}
    return "\n".join(shown_text(f"{key}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}") for key, value in shown.items())


def _print_provenance(record: dict[str, Any]) -> None:
    output.print(f"[bold]Verdict:[/] {VERDICT_HEADLINES[record['verdict']]}" + (f" [bold]({record['strength']})[/]" if record["strength"] else ""))
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


def _has_case(db: str | None, settings: Settings) -> bool:
    """Whether there is a case database to read (explain never creates one)."""
    return not (db is None and "://" not in settings.db and not Path(settings.db).exists())


def _hash(item: Item, settings: Settings) -> None:
    """The file's digests and PDQ, for the report and the banks' first-seen dates (read only when one
    of them is wanted: a large video's digests are a full read); computed before the provenance
    readers, which then share the decoded pixels and the PDQ. A picture that cannot be decoded
    keeps its digests."""
    hash_digests(item, settings)
    try:
        hash_perceptual(item, settings)
    except ItemError:
        return


def _bank_matches(item: Item, settings: Settings) -> list[dict[str, Any]]:
    """The item's matches in the case's banks (for first-seen dates)."""
    report = open_matcher(settings, None, None, MIN_QUALITY).match(item.result.hashes, item.result.qualities)
    matches: list[dict[str, Any]] = report.record()["matches"]
    return matches


def _print_authenticity(authenticity: dict[str, Any]) -> None:
    output.print("[bold]Authenticity[/] (evidence of capture; none of it is a verdict by itself)")
    for finding in authenticity["supports_capture"]:
        output.print(shown_text(f"  supports capture ({finding['strength']}, {finding['source']}): {finding['finding']}"), highlight=False)
    if not authenticity["supports_capture"]:
        output.print("  nothing found that supports capture by a camera (which shows nothing either way)")
    if encoder := authenticity.get("encoder"):
        output.print(shown_text(f"  encoder: {encoder.get('class')} {encoder.get('name') or ''}".rstrip()), highlight=False)
    if seen := authenticity.get("first_seen"):
        output.print(shown_text(f"  first seen: {seen['date']} ({seen['source']})"), highlight=False)


@app.command("explain")
def explain_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The image or model file to explain.")],
    show_prompts: Annotated[bool, typer.Option("--show-prompts", help="Also show generation prompts and training captions (sensitive).")] = False,
    fmt: Annotated[TextOrJson, typer.Option("--format", help="text for reading, json for scripts.")] = TextOrJson.text,
    db: DbOption = None,
    trust_anchors: TrustOption = None,
    sheet: Annotated[Path | None, typer.Option("--contact-sheet", help="For a video: write a grid of its frames with their times to this PNG file.")] = None,
    blur: Annotated[float, typer.Option("--blur", min=0, help="Blur radius of contact-sheet frames, in pixels; 0 for none.")] = 8.0,
    colour: Annotated[bool, typer.Option("--colour", help="Contact-sheet frames in colour (greyscale by default).")] = False,
    report: Annotated[Path | None, typer.Option("--report", dir_okay=False,
                                                help="Write an authenticity report (no imagery, no prompts) to this file: PDF for .pdf, else HTML.")] = None,
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
        if fmt is TextOrJson.json:
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
    case = _has_case(db, settings)
    if case and item.result.media_type == "image" and (runs := scan_runs(CameraStore(open_engine(settings.db)), settings.cache_dir)):
        settings = replace(settings, cameras=runs)
    if case or report is not None:
        _hash(item, settings)
    stored = verdict_record(explain(item, settings))
    record = public(stored, show_prompts=show_prompts)
    record["links"] = LinkStore(open_engine(settings.db)).links_for(stored) if case else []
    with_authenticity(record, _bank_matches(item, settings) if case else [], None, settings.generators_since)
    if report is not None:
        write_report(report, report_context(str(file), item.result.hashes, item.result.size, record))
        console.print(f"Authenticity report written to {report}.")
    if fmt is TextOrJson.json:
        print(json_text({"path": str(file), "provenance": record}))
    else:
        _print_provenance(record)
        _print_authenticity(record["authenticity"])
