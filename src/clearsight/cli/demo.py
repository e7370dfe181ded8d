"""`clearsight demo`: build the benign demo corpus and scan it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from clearsight.banks.matcher import MIN_QUALITY
from clearsight.cli.app import DbOption, RecordFormat, app, console
from clearsight.cli.match import open_matcher
from clearsight.cli.scan import run_scan
from clearsight.config import load_settings
from clearsight.demo.corpus import build_demo_corpus, demo_known_hashes
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine

DEMO_BANK = "demo-known"


@app.command("demo")
def demo_command(
    db: DbOption = None,
    folder: Annotated[Path, typer.Option("--dir", help="Where to write the demo corpus.")] = Path("demo-corpus"),
) -> None:
    """Generate a small benign corpus (synthetic images, a video, archives, broken files) and scan it."""
    settings = replace(load_settings(db), pdq_dihedral=True)
    build_demo_corpus(folder)
    store = BankStore(open_engine(settings.db))
    if not store.banks([DEMO_BANK]):
        store.create(DEMO_BANK, source="clearsight demo", classification="demo")
    store.import_records(DEMO_BANK, demo_known_hashes())
    console.print(f"Demo corpus written to [bold]{folder}[/]; scanning it into [bold]{settings.db}[/], matching bank [bold]{DEMO_BANK}[/].")
    run_scan([str(folder)], settings, None, None, RecordFormat.jsonl, open_matcher(settings, None, None, MIN_QUALITY))
    console.print(f"See every item and its matches with: [bold]clearsight scan {folder} --db {settings.db} --dihedral --format jsonl[/]")
    console.print(f"How one image was made: [bold]clearsight explain {folder / 'generated-a1111.png'} --db {settings.db}[/]")
    console.print(f"Images linked to the model files that made them: [bold]clearsight models links --db {settings.db}[/]")
    console.print(f"Assess them in the web app: [bold]clearsight users add me --role admin --password-stdin --db {settings.db}[/], "
                  f"then [bold]clearsight serve --db {settings.db}[/] and open http://127.0.0.1:8000/")
