"""The `clearsight` command line (contract at the end of ARCHITECTURE.md)."""

from __future__ import annotations

import logging
import sys

from clearsight.cli import accounts, audit, bank, demo, explain, export, keys, match, models, records, scan, serve, stats  # noqa: F401 - registers the commands
from clearsight.cli.app import app
from clearsight.errors import ClearsightError
from clearsight.inert import plain

EXIT_FAILURE = 1


def main() -> None:
    """Entry point: run the app, turning failures into one-line reasons and non-zero exits."""
    logging.basicConfig(level=logging.WARNING, format="clearsight: %(levelname)s: %(name)s: %(message)s", stream=sys.stderr)
    try:
        app()
    except ClearsightError as exc:
        print("clearsight: error: " + plain(" ".join(str(exc).split())), file=sys.stderr)
        sys.exit(EXIT_FAILURE)
