"""`clearsight audit ...`: check the audit chain, read it, and sign checkpoints of its head.

A checkpoint kept off the database's machine (a file elsewhere, a syslog server) is what proves,
later, that the trail was not deleted or rewritten by someone who could write both the database
and its audit key.
"""

from __future__ import annotations

import json
import syslog
from pathlib import Path
from typing import Annotated

import typer

from clearsight.assess.audit import AuditLog
from clearsight.assess.audit_checkpoint import SYSLOG_TAG, checkpoint_line, load_public_key, public_key_path, read_checkpoints, signing_key
from clearsight.cli.app import DbOption, TextOrJson, app, console, output
from clearsight.config import load_settings
from clearsight.errors import ClearsightError
from clearsight.inert import json_text, shown
from clearsight.store.db import open_engine

audit_app = typer.Typer(help="The append-only audit trail: chained with a keyed hash, anchored by signed checkpoints.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


def _log(db: str | None) -> AuditLog:
    return AuditLog(open_engine(load_settings(db).db))


@audit_app.command("verify")
def audit_verify(
    db: DbOption = None,
    fmt: Annotated[TextOrJson, typer.Option("--format")] = TextOrJson.text,
    checkpoint: Annotated[Path | None, typer.Option("--checkpoint", exists=True, dir_okay=False,
                                                    help="Also check the signed heads in this file (from `audit checkpoint`, or syslog lines).")] = None,
    public_key: Annotated[Path | None, typer.Option("--public-key", exists=True, dir_okay=False,
                                                    help="The checkpoints' public key (PEM). [default: the --checkpoint file's name + .pub]")] = None,
) -> None:
    """Check the audit chain: any edited, forged or deleted entry is reported and the exit status is 1."""
    checkpoints = None
    if checkpoint is not None:
        key_path = public_key or public_key_path(checkpoint)
        if not key_path.exists():
            raise ClearsightError(f"give the checkpoints' public key with --public-key (no {key_path})")
        checkpoints = read_checkpoints(checkpoint.read_text(encoding="utf-8", errors="replace"), load_public_key(key_path))
        if not checkpoints:
            raise ClearsightError(f"{checkpoint} holds no checkpoint lines")
    result = _log(db).verify(checkpoints)
    if fmt is TextOrJson.json:
        print(json.dumps({"ok": result.ok, "entries": result.entries, "head": result.head, "problems": result.problems,
                          "checkpoints": len(checkpoints or [])}, indent=1))
    else:
        for problem in result.problems:
            output.print(shown(problem), highlight=False)
        checked = f"; {len(checkpoints):,} checkpoints checked" if checkpoints else ""
        output.print(f"{result.entries:,} entries; chain head {result.head}{checked}; " + ("intact" if result.ok else f"{len(result.problems)} problems"))
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    signing: Annotated[Path, typer.Option("--signing-key", help="Ed25519 private key (PEM); made here, with its .pub beside it, if absent.")],
    to: Annotated[Path | None, typer.Option("--to", help="Append the signed head to this file.")] = None,
    to_syslog: Annotated[bool, typer.Option("--syslog", help="Also send it to syslog (facility auth), tagged " + SYSLOG_TAG + ".")] = False,
    db: DbOption = None,
) -> None:
    """Verify the chain, then sign its head (entry count and hash) and record it off the database.

    Refuses when the chain is already broken: a checkpoint must never bless a damaged trail."""
    if to is None and not to_syslog:
        raise ClearsightError("say where the checkpoint goes: --to FILE and/or --syslog")
    log = _log(db)
    result = log.verify()
    if not result.ok:
        raise ClearsightError(f"the audit chain has {len(result.problems)} problems (run `clearsight audit verify`); no checkpoint written")
    line = checkpoint_line(signing_key(signing), result.entries, result.head, log.engine.url.render_as_string(hide_password=True))
    if to is not None:
        with to.open("a", encoding="utf-8") as stream:
            stream.write(line + "\n")
        public = public_key_path(signing)
        if public.exists() and not public_key_path(to).exists():
            public_key_path(to).write_bytes(public.read_bytes())
    if to_syslog:
        syslog.openlog(SYSLOG_TAG, 0, syslog.LOG_AUTH)
        syslog.syslog(syslog.LOG_NOTICE, line)
    print(line)
    console.print(f"Checkpoint of {result.entries:,} entries signed" + (f" and appended to {shown(to)}" if to else "") + (" and sent to syslog" if to_syslog else "") + ".")


@audit_app.command("show")
def audit_show(db: DbOption = None, limit: Annotated[int, typer.Option("--limit", min=1)] = 50) -> None:
    """The newest entries, newest first, as JSON."""
    entries = _log(db).entries(limit)
    print(json_text([entry | {"at": entry["at"].isoformat()} for entry in entries], indent=1))
