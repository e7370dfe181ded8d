"""`clearsight bank ...`: create hash banks, import and export the lists partners exchange."""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import Annotated, TextIO

import filetype
import typer
from rich.table import Table

from clearsight.assess.audit import AuditLog, cli_actor
from clearsight.banks.formats import FORMATS, detect
from clearsight.banks.formats.base import HEAD_CHARS, ExportContext, ReadOptions, open_list
from clearsight.banks.formats.vpdq import VpdqFormat, video_record
from clearsight.banks.records import HEX_LENGTHS, normalize_hash
from clearsight.cli.app import DbOption, TextOrJson, app, console, output
from clearsight.config import load_settings
from clearsight.errors import ClearsightError, ItemError
from clearsight.inert import add_inert_row, plain, shown
from clearsight.media.identify import HEAD_BYTES
from clearsight.store.banks import DEFAULT_PDQ_DISTANCE, BankInfo, BankStore, ImportSummary
from clearsight.store.db import open_engine
from clearsight.store.records import VIDEO_SIGNAL, BankRecord, RowError

bank_app = typer.Typer(help="Hash banks: named lists of known hashes to match against.", no_args_is_help=True)
app.add_typer(bank_app, name="bank")

ImportFormat = Enum("ImportFormat", {name: name for name in ("auto", *FORMATS)}, type=str)  # type: ignore[misc]
ExportFormat = Enum("ExportFormat", {name: name for name in FORMATS}, type=str)  # type: ignore[misc]
SignalName = Enum("SignalName", {name: name for name in HEX_LENGTHS}, type=str)  # type: ignore[misc]

ERRORS_SHOWN = 20
MAX_LIST_BYTES = 4 * 1024 * 1024 * 1024
"""Largest hash-list file read (lists are read whole; 10 million CSV rows are about 1 GB)."""


NameArg = Annotated[str, typer.Argument(help="Bank name.")]
TypeOption = Annotated[SignalName | None, typer.Option("--type", help="Hash type where the value alone cannot tell (64 hex digits: sha256 or pdq).")]


def _store(db: str | None) -> BankStore:
    return BankStore(open_engine(load_settings(db).db))


def _audit(store: BankStore, action: str, bank: str, details: dict[str, object] | None = None) -> None:
    """Bank changes and exports go into the audit trail (`clearsight audit show`), in the same database."""
    AuditLog(store.engine).append(cli_actor(), action, bank, details)


def _bank_table(banks: list[BankInfo]) -> Table:
    table = Table("bank", "kind", "enabled", "pdq distance", "entries", "hashes", "classification", "version", "source")
    for bank in banks:
        hashes = ", ".join(f"{signal} {count:,}" for signal, count in sorted(bank.hashes.items())) or "-"
        add_inert_row(table, bank.name, "allowlist" if bank.allowlist else "known", "yes" if bank.enabled else "no", str(bank.pdq_distance),
                      f"{bank.entries:,}", hashes, bank.classification or "-", bank.version or "-", bank.source or "-")
    return table


def _print_banks(banks: list[BankInfo], fmt: TextOrJson) -> None:
    if fmt is TextOrJson.json:
        print(json.dumps([bank.as_dict() for bank in banks], indent=1))
    else:
        output.print(_bank_table(banks))


@bank_app.command("create")
def create_command(
    name: NameArg,
    db: DbOption = None,
    distance: Annotated[int, typer.Option("--distance", min=0, max=128, help="PDQ distance counted as a match for this bank (inclusive).")] = DEFAULT_PDQ_DISTANCE,
    allowlist: Annotated[bool, typer.Option("--allowlist", help="Known false positives: a hit here suppresses matches from other banks.")] = False,
    source: Annotated[str | None, typer.Option("--source", help="Where the list comes from (a hotline, a partner).")] = None,
    version: Annotated[str | None, typer.Option("--version", help="The list's version or date.")] = None,
    classification: Annotated[str | None, typer.Option("--classification", help="Label for entries that carry none.")] = None,
) -> None:
    """Create an empty bank."""
    store = _store(db)
    bank = store.create(name, source=source, version=version, classification=classification, pdq_distance=distance, allowlist=allowlist)
    _audit(store, "bank.create", name, {"allowlist": allowlist, "pdq_distance": bank.pdq_distance})
    console.print(f"Created {'allowlist ' if bank.allowlist else ''}bank [bold]{shown(bank.name)}[/] (PDQ distance {bank.pdq_distance}).")


@bank_app.command("set")
def set_command(
    name: NameArg,
    db: DbOption = None,
    distance: Annotated[int | None, typer.Option("--distance", min=0, max=128, help="PDQ distance counted as a match.")] = None,
    enabled: Annotated[bool | None, typer.Option("--enable/--disable", help="Whether the bank is matched by default.", show_default=False)] = None,
    allowlist: Annotated[bool | None, typer.Option("--allowlist/--known", help="Make it an allowlist, or a list of known material.", show_default=False)] = None,
    source: Annotated[str | None, typer.Option("--source")] = None,
    version: Annotated[str | None, typer.Option("--version")] = None,
    classification: Annotated[str | None, typer.Option("--classification")] = None,
    trust: Annotated[list[str] | None, typer.Option("--trust-token", help="An API token whose additions keep the bank's labels (repeatable).")] = None,
    untrust: Annotated[list[str] | None, typer.Option("--untrust-token", help="Stop trusting this API token's additions (repeatable).")] = None,
) -> None:
    """Change a bank's settings; running matchers pick the change up within a second.

    Hashes an API token adds are `unvetted` (no automatic grade, no allowlist entry) unless the
    bank trusts that token."""
    store = _store(db)
    trusted = None
    if trust or untrust:
        trusted = sorted((set(store.get(name).trusted_tokens or []) | set(trust or [])) - set(untrust or []))
    changes = {"pdq_distance": distance, "enabled": enabled, "allowlist": allowlist, "source": source, "version": version, "classification": classification,
               "trusted_tokens": trusted}
    bank = store.update(name, **{key: value for key, value in changes.items() if value is not None})
    _audit(store, "bank.set", name, {key: value for key, value in changes.items() if value is not None})
    _print_banks([bank], TextOrJson.text)


@bank_app.command("list")
def list_command(db: DbOption = None, fmt: Annotated[TextOrJson, typer.Option("--format")] = TextOrJson.text) -> None:
    """Every bank with its settings and hash counts."""
    _print_banks(_store(db).banks(), fmt)


@bank_app.command("show")
def show_command(name: NameArg, db: DbOption = None, fmt: Annotated[TextOrJson, typer.Option("--format")] = TextOrJson.text) -> None:
    """One bank's settings and hash counts."""
    _print_banks([_store(db).get(name)], fmt)


@bank_app.command("delete")
def delete_command(name: NameArg, db: DbOption = None, yes: Annotated[bool, typer.Option("--yes", help="Confirm: the bank and all its hashes go.")] = False) -> None:
    """Delete a bank and all its hashes."""
    if not yes:
        raise ClearsightError(f"deleting bank {name!r} removes all its hashes; add --yes to confirm")
    store = _store(db)
    store.delete(name)
    _audit(store, "bank.delete", name)
    console.print(f"Deleted bank [bold]{shown(name)}[/].")


def _is_video(path: Path) -> bool:
    with path.open("rb") as stream:
        kind = filetype.guess(stream.read(HEAD_BYTES))
    return kind is not None and kind.mime.startswith("video/")


def _report_import(summary: ImportSummary, errors_out: Path | None, store: BankStore, name: str, source: str) -> None:
    _audit(store, "bank.import", name, {"source": source, "entries": summary.entries, "hashes": summary.hashes, "rejected": len(summary.errors)})
    console.print(f"Imported {summary.entries:,} entries ({summary.hashes:,} hashes); {summary.duplicates:,} hashes were already in the bank; "
                  f"{len(summary.errors):,} rows rejected.")
    for error in summary.errors[:ERRORS_SHOWN]:
        console.print(f"  row {error.row}: {plain(error.message)}", markup=False, highlight=False)
    if len(summary.errors) > ERRORS_SHOWN:
        console.print(f"  ... and {len(summary.errors) - ERRORS_SHOWN:,} more" + ("" if errors_out else " (write them all with --errors FILE)"))
    if errors_out is not None:
        errors_out.write_text("".join(f"{error.row}\t{error.message}\n" for error in summary.errors), encoding="utf-8")


@bank_app.command("import")
def import_command(
    name: NameArg,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The hash list.")],
    db: DbOption = None,
    fmt: Annotated[ImportFormat, typer.Option("--format", help="File format; auto tells it from the content.")] = ImportFormat.auto,  # type: ignore[attr-defined]
    signal: TypeOption = None,
    version: Annotated[str | None, typer.Option("--version", help="Record this as the bank's version.")] = None,
    errors_out: Annotated[Path | None, typer.Option("--errors", help="Write every rejected row (number, reason) to this file.")] = None,
) -> None:
    """Import a hash list; bad rows are reported and skipped, hashes already present are skipped.

    A video file given with --format auto or vpdq is hashed (every frame) and added as a known video.
    Re-running an interrupted import finishes it.
    """
    store = _store(db)
    store.get(name)
    if fmt.value in ("auto", VpdqFormat.name) and _is_video(file):
        # Imported here: PyAV and numpy would add 180 ms to the start-up of every list import.
        from clearsight.hashing.vpdq import FrameHash, vpdq_frames

        settings = replace(load_settings(db), vpdq_fps=0)
        frames: list[FrameHash] = []
        try:
            vpdq_frames(str(file), settings, frames)
        except ItemError as exc:
            raise ClearsightError(f"{file}: {exc}") from None
        console.print(f"Hashed {len(frames):,} frames of video {shown(file)}.")
        _report_import(store.import_records(name, [video_record([frame.row() for frame in frames], file.stem)], version=version), errors_out, store, name, str(file))
        return
    if file.stat().st_size > MAX_LIST_BYTES:
        raise ClearsightError(f"{file} is larger than {MAX_LIST_BYTES // 2**30} GiB; split it")
    with open_list(file) as stream:
        reader = detect(stream.read(HEAD_CHARS)) if fmt.value == "auto" else FORMATS[fmt.value]
        stream.seek(0)
        console.print(f"Reading {shown(file)} as [bold]{reader.name}[/].")
        options = ReadOptions(signal=signal.value if signal else None, source_name=file.stem)
        summary = store.import_records(name, reader.read(stream, options), version=version)
    _report_import(summary, errors_out, store, name, str(file))


@bank_app.command("export")
def export_command(
    name: NameArg,
    file: Annotated[str, typer.Argument(help="Where to write; - for standard output.")],
    db: DbOption = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="File format.")] = ExportFormat.csv,  # type: ignore[attr-defined]
    ref: Annotated[str | None, typer.Option("--ref", help="Export only the entries with this reference (a vPDQ file holds one video).")] = None,
) -> None:
    """Export a bank in one of the exchange formats; known videos go out as vPDQ, one per file."""
    store = _store(db)
    bank = store.get(name)
    video_format = fmt.value == VpdqFormat.name
    records = [record for record in store.records(name) if (ref is None or record.ref == ref)]
    chosen = [record for record in records if record.is_video == video_format]
    with contextlib.ExitStack() as stack:
        stream: TextIO = sys.stdout if file == "-" else stack.enter_context(open(file, "w", encoding="utf-8", newline=""))
        FORMATS[fmt.value].write(chosen, stream, ExportContext(bank.name, bank.source, bank.version))
    _audit(store, "bank.export", name, {"format": fmt.value, "entries": len(chosen), "to": file})
    if file != "-":
        console.print(f"Exported {len(chosen):,} entries of bank [bold]{shown(name)}[/] to {shown(file)} as {fmt.value}.")
    if len(chosen) < len(records):
        console.print(f"{len(records) - len(chosen):,} {'non-video' if video_format else 'video'} entries were left out"
                      + ("" if video_format else " (export each with --format vpdq --ref REF)") + ".")


def parse_hash(value: str, signal: str | None) -> tuple[str, str]:
    """(signal type, normalized value) of a hash typed on the command line."""
    length = len(value.strip().removeprefix("0x"))
    guessed = signal or {32: "md5", 40: "sha1"}.get(length)
    if guessed is None:
        raise ClearsightError(f"cannot tell the type of {value!r} ({length} hex digits{': sha256 or pdq' if length == 64 else ''}); give --type")
    try:
        return guessed, normalize_hash(guessed, value)
    except ValueError as exc:
        raise ClearsightError(str(exc)) from None


@bank_app.command("add")
def add_command(
    name: NameArg,
    values: Annotated[list[str], typer.Argument(help="Hashes to add, each as its own entry.")],
    db: DbOption = None,
    signal: TypeOption = None,
    classification: Annotated[str | None, typer.Option("--classification")] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="Your reference for these entries.")] = None,
) -> None:
    """Add hashes typed on the command line."""
    records: list[BankRecord | RowError] = []
    for value in values:
        kind, normalized = parse_hash(value, signal.value if signal else None)
        records.append(BankRecord({kind: normalized}, classification, ref))
    store = _store(db)
    _report_import(store.import_records(name, records), None, store, name, "command line")


@bank_app.command("remove")
def remove_command(name: NameArg, values: Annotated[list[str], typer.Argument(help="Hash values to remove.")], db: DbOption = None) -> None:
    """Remove hashes from a bank; running matchers stop matching them within a second."""
    store = _store(db)
    removed = store.remove_hashes(name, [value.strip().lower().removeprefix("0x") for value in values], (*HEX_LENGTHS, VIDEO_SIGNAL))
    _audit(store, "bank.remove", name, {"removed": removed})
    console.print(f"Removed {removed:,} hashes from [bold]{shown(name)}[/].")


@bank_app.command("quarantine")
def quarantine_command(db: DbOption = None, fmt: Annotated[TextOrJson, typer.Option("--format")] = TextOrJson.text) -> None:
    """The entries the API set aside after a match-rate spike, for review (they match nothing until released)."""
    entries = _store(db).quarantine_list()
    if fmt is TextOrJson.json:
        output.print_json(json.dumps(entries))
        return
    if not entries:
        console.print("no entry is quarantined")
    for entry in entries:
        console.print(shown(f"entry {entry['entry_id']} of bank {entry['bank']} (ref {entry['ref'] or '-'}, {entry['classification'] or 'unclassified'}): "
                            f"{entry['matches_in_hour']} matches in one hour, quarantined at {entry['quarantined_at']}"), highlight=False)


@bank_app.command("release")
def release_command(entry_id: Annotated[int, typer.Argument(help="The quarantined entry's id (clearsight bank quarantine).")], db: DbOption = None) -> None:
    """Let a quarantined entry match again, after review."""
    store = _store(db)
    if not store.release(entry_id):
        raise ClearsightError(f"entry {entry_id} is not quarantined (clearsight bank quarantine)")
    _audit(store, "bank.release", str(entry_id))
    console.print(f"released entry {entry_id}")
