"""`clearsight models scan|links`: model-file forensics and the images each model made."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from clearsight.banks.matcher import MIN_QUALITY
from clearsight.cli.app import DbOption, RecordFormat, app, output
from clearsight.cli.match import open_matcher
from clearsight.cli.scan import run_scan
from clearsight.config import load_settings
from clearsight.inert import add_inert_row, json_text
from clearsight.item import ItemResult
from clearsight.store.db import open_engine
from clearsight.store.provenance import LinkStore

models_app = typer.Typer(help="Model files (safetensors, checkpoints, GGUF): inspect them and link them to images.", no_args_is_help=True)
app.add_typer(models_app, name="models")


class LinkFormat(str, Enum):
    text = "text"
    json = "json"


def _is_model(result: ItemResult) -> bool:
    return result.media_type == "model"


@models_app.command("scan")
def models_scan(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Files and folders to search for model files (archives are opened).")],
    fmt: Annotated[RecordFormat, typer.Option("--format", help="Record format for the model files found.")] = RecordFormat.jsonl,
    db: DbOption = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Worker processes. [default: one per core]", show_default=False)] = None,
) -> None:
    """Inspect model files: format, kind (LoRA, checkpoint...), hashes in every form, training
    metadata, dangerous pickle imports. They are recorded in the case database, so images scanned
    before or after link to them. Records of the model files go to stdout."""
    settings = load_settings(db)
    run_scan([str(path) for path in paths], settings, workers, sys.stdout, fmt, open_matcher(settings, None, None, MIN_QUALITY), only=_is_model)


@models_app.command("links")
def models_links(
    fmt: Annotated[LinkFormat, typer.Option("--format", help="text table or json.")] = LinkFormat.text,
    db: DbOption = None,
) -> None:
    """List every image linked to a model file in the case database, and how (hash or name)."""
    links = LinkStore(open_engine(load_settings(db).db)).all_links()
    if fmt is LinkFormat.json:
        print(json_text(links, indent=1))
        return
    table = Table("image", "model file", "via", "kind", "name", "hash", title=f"{len(links):,} links")
    for link in links:
        add_inert_row(table, link["image"], link["model_file"], link["via"], link["kind"], link["name"] or "-", link["hash"] or "-")
    output.print(table)
