"""`clearsight keys rotate`: a new key for the sensitive fields sealed in a case database.

Every sealed prompt, caption and template is re-sealed under the new key (values stored before
sealing existed are sealed now), then the old key is dropped from the key file. Interrupted, it
can be run again: until it finishes the key file holds both keys.
"""

from __future__ import annotations

import typer

from clearsight.assess.audit import AuditLog, cli_actor
from clearsight.cli.app import DbOption, app, console
from clearsight.config import load_settings
from clearsight.inert import shown
from clearsight.store.db import open_engine
from clearsight.store.provenance import reseal_records
from clearsight.store.sealing import Sealer

keys_app = typer.Typer(help="The key that seals sensitive fields (prompts, captions) in the case database.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("rotate")
def rotate_command(db: DbOption = None) -> None:
    """Make a new data key, re-seal every sensitive value under it, and drop the old key."""
    engine = open_engine(load_settings(db).db)
    sealer = Sealer(engine)
    changed = sealer.rotate(lambda change: reseal_records(engine, change))
    AuditLog(engine).append(cli_actor(), "keys.rotate", str(sealer.path), {"records": changed})
    console.print(f"Re-sealed {changed:,} records under a new key in {shown(sealer.path)}; the old key is gone.")
