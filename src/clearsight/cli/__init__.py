"""The `clearsight` command line (contract at the end of ARCHITECTURE.md).

Each command's module is imported only when that command runs: importing them all (the scanner's
image libraries, the web app, the assessment services) took over a second and 120 MB before any
command did anything. `--help` and unknown names import them all, so the listing is complete.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Sequence

from clearsight.cli.app import app
from clearsight.errors import ClearsightError
from clearsight.inert import plain

EXIT_FAILURE = 1

COMMAND_MODULES = {
    "audit": "audit",
    "bank": "bank",
    "demo": "demo",
    "cameras": "cameras",
    "detectors": "detectors",
    "explain": "explain",
    "exchange": "exchange",
    "export": "export",
    "keys": "keys",
    "match": "match",
    "models": "models",
    "records": "records",
    "reports": "reports",
    "scan": "scan",
    "serve": "serve",
    "stats": "stats",
    "tokens": "accounts",
    "users": "accounts",
}
"""Each top-level command (or command group) and the module of `clearsight.cli` that registers it."""


def load_commands(argv: Sequence[str]) -> None:
    """Register the command `argv` names (its first word that is not an option), or every command
    when it names none of them."""
    name = next((arg for arg in argv if not arg.startswith("-")), None)
    modules = [COMMAND_MODULES[name]] if name in COMMAND_MODULES else sorted(set(COMMAND_MODULES.values()))
    for module in modules:
        importlib.import_module(f"clearsight.cli.{module}")


def main() -> None:
    """Entry point: run the app, turning failures into one-line reasons and non-zero exits."""
    logging.basicConfig(level=logging.WARNING, format="clearsight: %(levelname)s: %(name)s: %(message)s", stream=sys.stderr)
    load_commands(sys.argv[1:])
    try:
        app()
    except ClearsightError as exc:
        print("clearsight: error: " + plain(" ".join(str(exc).split())), file=sys.stderr)
        sys.exit(EXIT_FAILURE)
