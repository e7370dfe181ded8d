"""`clearsight users ...` and `clearsight tokens ...`: accounts for the assessment app and API
tokens for machine clients."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated

import typer
from rich.table import Table

from clearsight.assess.accounts import ROLES, Accounts
from clearsight.assess.audit import cli_actor
from clearsight.cli.app import DbOption, TextOrJson, app, console, output
from clearsight.config import load_settings
from clearsight.errors import ClearsightError
from clearsight.inert import add_inert_row, shown
from clearsight.store.db import open_engine

users_app = typer.Typer(help="Accounts of the assessment app (analyst, reviewer, admin).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for machine clients, stored hashed.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")

Role = Enum("Role", {role: role for role in ROLES}, type=str)  # type: ignore[misc]
NameArg = Annotated[str, typer.Argument(help="Account or token name.")]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input.")]


def _accounts(db: str | None) -> Accounts:
    return Accounts(open_engine(load_settings(db).db), actor=cli_actor())


def _password(from_stdin: bool) -> str:
    if not from_stdin:
        raise ClearsightError("give the password on standard input with --password-stdin (never on the command line)")
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("add")
def users_add(name: NameArg, role: Annotated[Role, typer.Option("--role", help="What the account may do.")], password_stdin: PasswordStdin = False,
              db: DbOption = None) -> None:
    """Create an account."""
    account = _accounts(db).add(name, role.value, _password(password_stdin))
    console.print(f"Added {account.role} [bold]{shown(account.name)}[/].")


@users_app.command("disable")
def users_disable(name: NameArg, db: DbOption = None) -> None:
    """Stop an account from logging in (its history stays)."""
    _accounts(db).set_disabled(name, True)
    console.print(f"Disabled [bold]{shown(name)}[/].")


@users_app.command("enable")
def users_enable(name: NameArg, db: DbOption = None) -> None:
    """Let a disabled account log in again."""
    _accounts(db).set_disabled(name, False)
    console.print(f"Enabled [bold]{shown(name)}[/].")


@users_app.command("reset")
def users_reset(name: NameArg, password_stdin: PasswordStdin = False, db: DbOption = None) -> None:
    """Set a new password."""
    _accounts(db).reset_password(name, _password(password_stdin))
    console.print(f"Password of [bold]{shown(name)}[/] reset.")


@users_app.command("list")
def users_list(db: DbOption = None, fmt: Annotated[TextOrJson, typer.Option("--format")] = TextOrJson.text) -> None:
    """List the accounts."""
    accounts = _accounts(db).all()
    if fmt is TextOrJson.json:
        print(json.dumps([account.as_dict() for account in accounts], indent=1))
        return
    table = Table("name", "role", "disabled")
    for account in accounts:
        add_inert_row(table, account.name, account.role, "yes" if account.disabled else "no")
    output.print(table)


@tokens_app.command("add")
def tokens_add(name: NameArg, banks: Annotated[list[str] | None, typer.Option("--bank", help="Banks the token may match against (repeatable). [default: all]")] = None,
               db: DbOption = None) -> None:
    """Create a token and print it once: only its hash is kept."""
    token = _accounts(db).add_token(name, banks)
    print(token)
    console.print(f"Token [bold]{shown(name)}[/] created; it is shown only now.")


@tokens_app.command("revoke")
def tokens_revoke(name: NameArg, db: DbOption = None) -> None:
    """Revoke a token."""
    _accounts(db).revoke_token(name)
    console.print(f"Token [bold]{shown(name)}[/] revoked.")


@tokens_app.command("list")
def tokens_list(db: DbOption = None) -> None:
    """List tokens (never their values)."""
    print(json.dumps(_accounts(db).tokens(), indent=1))
