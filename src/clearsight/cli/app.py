"""The Typer application and what every command shares: `--db`, the stderr console, errors."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    name="clearsight",
    help="Scan, match, explain and assess suspected abuse media, AI-generated included.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def commands() -> None:
    """Scan, match, explain and assess suspected abuse media, AI-generated included."""
    # A callback keeps `clearsight` a group of commands when `cli.load_commands` has registered
    # only the one being run: Typer would otherwise make a lone command the program itself.


console = Console(stderr=True, soft_wrap=True)
"""Progress and messages go to stderr, so stdout carries only what a command was asked for."""

output = Console()
"""What a query command was asked for, as text: bank tables, match results."""

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Case database: a SQLite file or a PostgreSQL URL. [default: $CLEARSIGHT_DB or ./clearsight.db]", show_default=False),
]


class RecordFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


class TextOrJson(str, Enum):
    """`--format` of the commands that print either for a reader or for a script."""

    text = "text"
    json = "json"


TrustOption = Annotated[
    Path | None,
    typer.Option(
        "--c2pa-trust-anchors",
        exists=True,
        dir_okay=False,
        help="PEM bundle of C2PA signer roots to trust; manifests chaining to one are proof. [default: $CLEARSIGHT_C2PA_TRUST_ANCHORS]",
        show_default=False,
    ),
]
