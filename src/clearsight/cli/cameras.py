"""`clearsight cameras add|list|remove|match`: sensor fingerprints (PRNU) of seized cameras, and
which images carry one.

`add` estimates a camera's fingerprint from reference photos the examiner took with the seized
device (20 or more, of bright, smooth scenes where possible: a blue sky, a white wall);
`match` tests images against every fingerprint of the case, and `scan --cameras` does so for a
whole scan. A link is strong evidence of capture by that camera, never a verdict by itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from clearsight.assess.audit import AuditLog, cli_actor
from clearsight.cameras import manage
from clearsight.cameras.match import compare
from clearsight.cli.app import DbOption, TextOrJson, app, console
from clearsight.config import load_settings
from clearsight.errors import ItemError
from clearsight.inert import json_text
from clearsight.inert import shown as shown_text
from clearsight.store.cameras import CameraStore
from clearsight.store.db import open_engine

cameras_app = typer.Typer(help="Sensor fingerprints of seized cameras: which images each one took.", no_args_is_help=True)
app.add_typer(cameras_app, name="cameras")


def _store(db: str | None) -> tuple[CameraStore, AuditLog]:
    engine = open_engine(load_settings(db).db)
    return CameraStore(engine), AuditLog(engine)


@cameras_app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="The camera's name in the case (an exhibit number, say).")],
    photos: Annotated[list[Path], typer.Argument(exists=True, help="Reference photos the camera took, or folders of them (all of one size).")],
    db: DbOption = None,
) -> None:
    """Fingerprint a seized camera from reference photos it took; a photo that cannot be used is
    listed with why, and the rest are used."""
    store, audit = _store(db)
    built = manage.add(store, name, photos, load_settings(db).limits)
    for path, why in built.skipped:
        console.print(f"skipped {shown_text(path)}: {shown_text(why)}", highlight=False)
    used = len(built.camera.photos)
    audit.append(cli_actor(), "camera.add", name, {"photos": used, "sha256": built.camera.sha256, "width": built.camera.width, "height": built.camera.height})
    advice = "" if used >= manage.ADVISED_PHOTOS else f"; fewer than {manage.ADVISED_PHOTOS} photos give more misses, add more when you can"
    console.print(f"added camera {shown_text(name)}: {built.camera.width}x{built.camera.height} from {used} photos{advice}", highlight=False)


@cameras_app.command("list")
def list_command(db: DbOption = None, fmt: Annotated[TextOrJson, typer.Option("--format")] = TextOrJson.text) -> None:
    """The case's cameras: size, reference photos, when added."""
    rows = [{"name": row.name, "width": row.width, "height": row.height, "photos": len(row.photos), "sha256": row.sha256, "added_at": row.added_at.isoformat()}
            for row in _store(db)[0].rows()]
    if fmt is TextOrJson.json:
        print(json_text(rows))
        return
    for row in rows:
        console.print(f"{shown_text(row['name'])}: {row['width']}x{row['height']}, {row['photos']} photos, added {row['added_at']}", highlight=False)


@cameras_app.command("remove")
def remove_command(name: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Remove a camera's fingerprint from the case."""
    store, audit = _store(db)
    store.remove(name)
    audit.append(cli_actor(), "camera.remove", name, {})
    console.print(f"removed camera {shown_text(name)}", highlight=False)


@cameras_app.command("match")
def match_command(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Images, or folders of them.")],
    db: DbOption = None,
    fmt: Annotated[TextOrJson, typer.Option("--format")] = TextOrJson.text,
) -> None:
    """Test images against every camera of the case: the cameras each one matched, with the PCE."""
    settings = load_settings(db)
    store = _store(db)[0]
    cameras = manage.fingerprints(store)
    if not cameras:
        console.print("the case has no camera (clearsight cameras add NAME PHOTO_OR_DIR...)")
    results: list[dict[str, Any]] = []
    for path in manage.files_under(paths):
        result: dict[str, Any] = {"path": str(path)}
        try:
            tests = compare(manage.pixels(path, settings.limits), cameras, settings.camera_false_match_rate)
        except (ItemError, ValueError) as exc:
            result |= {"camera_links": [], "error": str(exc)}
        else:
            result |= {"camera_links": [test.link() for test in tests if test.decision == "match"],
                       "tested": [test.link() | {"threshold": round(test.threshold, 1)} for test in tests]}
        results.append(result)
        if fmt is TextOrJson.text:
            links = ", ".join(f"{link['camera']} (PCE {link['pce']:,.0f})" for link in result["camera_links"])
            console.print(f"{shown_text(str(path))}: " + (shown_text(result["error"]) if "error" in result else (shown_text(links) or "no camera matched")),
                          highlight=False)
    if fmt is TextOrJson.json:
        print(json_text(results))
