"""`clearsight exchange add|list|show|fetch|enable|disable|delete|credentials`: banks that fill
themselves from hash exchanges (NCMEC, StopNCII, ThreatExchange through python-threatexchange,
and Clearsight's `file` exchange), fetched here or on `clearsight serve`'s schedule.

Credentials are read from standard input as JSON, kept sealed in the case database, and never
printed; `show` and `list` give settings and fetch status only.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from clearsight.assess.audit import AuditLog, cli_actor
from clearsight.cli.app import DbOption, TextOrJson, app, console
from clearsight.config import load_settings
from clearsight.errors import ClearsightError
from clearsight.exchanges import feedback, manage
from clearsight.exchanges.fetch import fetch
from clearsight.exchanges.registry import EXCHANGE_TYPES
from clearsight.inert import json_text
from clearsight.inert import shown as shown_text
from clearsight.store.db import open_engine
from clearsight.store.exchanges import DEFAULT_INTERVAL_SECONDS, ExchangeRow, ExchangeStore

exchange_app = typer.Typer(help="Hash exchanges: banks that fill themselves from NCMEC, StopNCII, ThreatExchange or a list file.", no_args_is_help=True)
app.add_typer(exchange_app, name="exchange")


def _store(db: str | None) -> tuple[ExchangeStore, AuditLog]:
    engine = open_engine(load_settings(db).db)
    return ExchangeStore(engine), AuditLog(engine)


def _setting(raw: str) -> tuple[str, Any]:
    """KEY=VALUE, the value read as JSON where it is JSON (numbers, lists, true), else as text."""
    key, sep, value = raw.partition("=")
    if not sep or not key.strip():
        raise ClearsightError(f"--setting takes KEY=VALUE, not {raw!r}")
    try:
        return key.strip(), json.loads(value)
    except ValueError:
        return key.strip(), value


def _listed(row: ExchangeRow) -> dict[str, Any]:
    return {"name": row.name, "api": row.api, "enabled": row.enabled, "interval_seconds": row.interval_seconds, "settings": manage.shown_config(row),
            "status": row.status()}


@exchange_app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="The exchange's name, also the name of the bank it fills (HMA's clients want UPPER_WITH_UNDERSCORE).")],
    api: Annotated[str, typer.Option("--api", help=f"Exchange type: {', '.join(sorted(EXCHANGE_TYPES))}.")],
    settings: Annotated[list[str] | None, typer.Option("--setting", help="KEY=VALUE of the type's settings (clearsight exchange types).")] = None,
    interval: Annotated[int, typer.Option("--interval", min=60, help="Seconds between scheduled fetches.")] = DEFAULT_INTERVAL_SECONDS,
    disabled: Annotated[bool, typer.Option("--disabled", help="Add it without fetching on the schedule.")] = False,
    db: DbOption = None,
) -> None:
    """Add an exchange and the bank it fills."""
    store, audit = _store(db)
    row = manage.create(store, name, api, dict(map(_setting, settings or [])), enabled=not disabled, interval_seconds=interval)
    audit.append(cli_actor(), "exchange.create", name, {"api": api})
    console.print(f"added exchange {shown_text(row.name)} ({row.api}) filling bank {shown_text(row.name)}", highlight=False)


@exchange_app.command("types")
def types_command() -> None:
    """The exchange types, with their settings and whether they take credentials."""
    for name, kind in sorted(EXCHANGE_TYPES.items()):
        schema = manage.schema(kind)
        fields = ", ".join(f"{field['name']}{'' if field['required'] else '?'}" for field in schema["config_schema"]["fields"]) or "no settings"
        console.print(f"{name}: {fields}; {'credentials: ' + ', '.join(f['name'] for f in schema['credentials_schema']['fields']) if schema['credentials_schema'] else 'no credentials'}",
                      highlight=False)


@exchange_app.command("credentials")
def credentials_command(
    api: Annotated[str, typer.Argument(help="The exchange type whose credentials these are (HMA keeps them per type).")],
    clear: Annotated[bool, typer.Option("--clear", help="Remove the type's credentials.")] = False,
    db: DbOption = None,
) -> None:
    """Set an exchange type's credentials from a JSON object on standard input (never echoed)."""
    store, audit = _store(db)
    if clear:
        manage.set_credentials(store, api, None)
    else:
        try:
            given = json.loads(sys.stdin.read())
        except ValueError:
            raise ClearsightError("credentials: standard input is not JSON") from None
        if not isinstance(given, dict):
            raise ClearsightError("credentials: standard input must be a JSON object")
        manage.set_credentials(store, api, given)
    audit.append(cli_actor(), "exchange.credentials", api, {"set": not clear})
    console.print(f"{'cleared' if clear else 'set'} the credentials of {shown_text(api)}", highlight=False)


@exchange_app.command("list")
def list_command(db: DbOption = None, fmt: Annotated[TextOrJson, typer.Option("--format")] = TextOrJson.text) -> None:
    """Every exchange with its fetch status."""
    rows = [_listed(row) for row in _store(db)[0].rows()]
    if fmt is TextOrJson.json:
        print(json_text(rows))
        return
    for row in rows:
        status = row["status"]
        console.print(shown_text(f"{row['name']} ({row['api']}, {'enabled' if row['enabled'] else 'disabled'}): {_outcome(status)}, "
                                 f"{status['fetched_items']:,} items fetched"),
                      highlight=False)


def _outcome(status: dict[str, Any]) -> str:
    if status["last_fetch_succeeded"] is None:
        return "never fetched"
    if not status["last_fetch_succeeded"]:
        return f"failed: {status['last_error']}"
    return "up to date" if status["up_to_date"] else "fetched"


@exchange_app.command("show")
def show_command(name: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """One exchange's settings and fetch status, as JSON (credentials are never shown)."""
    print(json_text(_listed(_store(db)[0].get(name)), indent=1))


@exchange_app.command("fetch")
def fetch_command(names: Annotated[list[str] | None, typer.Argument(help="Exchanges to fetch. [default: every enabled one]", show_default=False)] = None,
                  db: DbOption = None) -> None:
    """Fetch exchanges now; a failed fetch keeps its bank as it was and says why (exit 1)."""
    settings = load_settings(db)
    store = _store(db)[0]
    failed = []
    for name in names or [row.name for row in store.rows() if row.enabled]:
        result = fetch(store, name, settings)
        if not result.fetched:
            console.print(f"{shown_text(name)}: another fetcher is fetching it; skipped", highlight=False)
        elif result.error:
            failed.append(name)
            console.print(shown_text(f"{name}: failed after {result.pages} pages: {result.error}"), highlight=False)
        else:
            console.print(f"{shown_text(name)}: {result.pages} pages, {result.items:,} items, {result.changed:,} bank entries changed", highlight=False)
    if failed:
        raise ClearsightError(f"fetch failed for {', '.join(failed)} (their banks are as they were; clearsight exchange show NAME)")


@exchange_app.command("feedback")
def feedback_command(
    entry_id: Annotated[int, typer.Argument(help="The bank entry a match hit (a match's entry, HMA's content id).")],
    verdict: Annotated[str, typer.Argument(help="confirm or dispute")],
    note: Annotated[str | None, typer.Option("--note", help="Why, for the record.")] = None,
    db: DbOption = None,
) -> None:
    """Confirm or dispute a bank entry a match hit: recorded, and sent back where its exchange takes feedback."""
    store, audit = _store(db)
    result = feedback.give(store, entry_id, verdict, cli_actor(), note)
    audit.append(cli_actor(), f"exchange.feedback.{verdict}", str(entry_id), {"sent": result["sent"]})
    console.print(shown_text(f"entry {entry_id}: {verdict} {result['result']}"), highlight=False)


@exchange_app.command("enable")
def enable_command(name: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Fetch the exchange on the schedule again."""
    store, audit = _store(db)
    store.set_enabled(name, True)
    audit.append(cli_actor(), "exchange.enable", name)


@exchange_app.command("disable")
def disable_command(name: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Stop fetching the exchange on the schedule (its bank stays)."""
    store, audit = _store(db)
    store.set_enabled(name, False)
    audit.append(cli_actor(), "exchange.disable", name)


@exchange_app.command("delete")
def delete_command(name: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Delete the exchange and the bank it filled."""
    store, audit = _store(db)
    if not store.delete(name):
        raise ClearsightError(f"no exchange named {name!r} (clearsight exchange list)")
    audit.append(cli_actor(), "exchange.delete", name)
    console.print(f"deleted exchange {shown_text(name)} and its bank", highlight=False)
