"""`clearsight detectors add|list|disable|enable|verdicts|remove|calibrate`: pluggable ONNX
detectors (the optional `detectors` extra) and what they measure on the case's own grades.

Models are never downloaded: an operator adds a file the hotline holds, with its model card.
A detector's score is indicative evidence; it decides a verdict only when an admin turned its
verdicts on and its latest calibration met their false-positive ceiling (`detectors.manage.gate`).
"""

from __future__ import annotations

import html
import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from clearsight.assess.audit import AuditLog, cli_actor
from clearsight.cli.app import DbOption, TextOrJson, app, console, output
from clearsight.config import load_settings
from clearsight.detectors import manage
from clearsight.store.db import open_engine
from clearsight.store.detectors import DetectorRow, DetectorStore

detectors_app = typer.Typer(help="Pluggable ONNX detectors: indicative evidence, calibrated on the case's grades.", no_args_is_help=True)
app.add_typer(detectors_app, name="detectors")


class CalibrationFormat(str, Enum):
    text = "text"
    json = "json"
    html = "html"


def _store(db: str | None) -> tuple[DetectorStore, AuditLog]:
    engine = open_engine(load_settings(db).db)
    return DetectorStore(engine), AuditLog(engine)


def _listed(row: DetectorRow) -> dict[str, Any]:
    allowed, why = manage.gate(row)
    chosen = (row.calibration or {}).get("chosen")
    return {"name": row.name, "model": row.card["name"], "version": row.card["version"], "licence": row.card["licence"], "sha256": row.sha256,
            "enabled": row.enabled, "verdicts": row.verdicts, "ceiling": row.ceiling, "decides_verdicts": allowed, "why": why,
            "auc": (row.calibration or {}).get("auc"), "false_positive_rate": chosen["false_positive_rate"] if chosen else None,
            "added_at": row.added_at.isoformat(), "added_by": row.added_by}


@detectors_app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="A short name: lower-case letters, digits, '.', '_', '-'.")],
    model: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The .onnx model file.")],
    card: Annotated[Path, typer.Option("--card", exists=True, dir_okay=False, help="The model card (JSON).")],
    db: DbOption = None,
) -> None:
    """Add a detector: its card is checked, and compared with the model's input and output."""
    store, audit = _store(db)
    row = manage.add(store, name, model, card, cli_actor())
    audit.append(cli_actor(), "detector.add", name, {"sha256": row.sha256, "model": row.card["name"], "version": row.card["version"]})
    console.print(f"added detector {name} ({row.card['name']} {row.card['version']}, sha256 {row.sha256[:16]}...); "
                  "its scores are indicative until it is calibrated and an admin turns its verdicts on", highlight=False)


@detectors_app.command("list")
def list_command(db: DbOption = None, fmt: Annotated[TextOrJson, typer.Option("--format")] = TextOrJson.text) -> None:
    """The detectors, whether each may decide verdicts and why, and their latest calibration."""
    rows = [_listed(row) for row in _store(db)[0].rows()]
    if fmt is TextOrJson.json:
        output.print_json(json.dumps(rows))
        return
    for row in rows:
        auc = "uncalibrated" if row["auc"] is None else f"AUC {row['auc']:.3f}, FPR {row['false_positive_rate']:.4f}"
        console.print(f"{row['name']}: {row['model']} {row['version']} ({row['licence']}), {'enabled' if row['enabled'] else 'disabled'}, {auc}; "
                      f"{'decides verdicts' if row['decides_verdicts'] else 'indicative only'}: {row['why']}", highlight=False)
    if not rows:
        console.print("no detectors (clearsight detectors add NAME MODEL.onnx --card CARD.json)")


def _switch(db: str | None, name: str, action: str, **values: Any) -> DetectorStore:
    """Change a detector's settings, audited; the store, for what the command prints next."""
    store, audit = _store(db)
    store.set(name, **values)
    audit.append(cli_actor(), action, name, dict(values))
    return store


@detectors_app.command("disable")
def disable_command(name: str, db: DbOption = None) -> None:
    """Stop running a detector in scans (its calibrations are kept)."""
    _switch(db, name, "detector.disable", enabled=False)
    console.print(f"detector {name} disabled", highlight=False)


@detectors_app.command("enable")
def enable_command(name: str, db: DbOption = None) -> None:
    """Run a disabled detector in scans again."""
    _switch(db, name, "detector.enable", enabled=True)
    console.print(f"detector {name} enabled", highlight=False)


class Switch(str, Enum):
    on = "on"
    off = "off"


@detectors_app.command("verdicts")
def verdicts_command(
    name: str, switch: Switch,
    ceiling: Annotated[float | None, typer.Option("--ceiling", min=1e-6, max=0.5, help="The false-positive rate its calibration must meet (e.g. 0.01).")] = None,
    db: DbOption = None,
) -> None:
    """Let a calibrated detector make verdicts `ai` (admin decision), or stop it."""
    if switch is Switch.on and ceiling is None:
        raise typer.BadParameter("turning detector verdicts on needs --ceiling RATE")
    row = _switch(db, name, "detector.verdicts", verdicts=switch is Switch.on, ceiling=ceiling).row(name)
    allowed, why = manage.gate(row)
    console.print(f"detector {name}: {'decides verdicts' if allowed else 'indicative only'}: {why}", highlight=False)


@detectors_app.command("remove")
def remove_command(name: str, db: DbOption = None) -> None:
    """Remove a detector, its model and its calibrations (scores already recorded stay on their items)."""
    store, audit = _store(db)
    store.remove(name)
    audit.append(cli_actor(), "detector.remove", name, {})
    console.print(f"detector {name} removed", highlight=False)


def _rate(value: Any) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _lines(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of a calibration, for text and HTML alike."""
    chosen = figures["chosen"]
    rows = [("items", str(figures["items"])), ("could not be scored", str(figures["unscored"])),
            ("samples (AI-made / real)", f"{figures['ai_samples']} / {figures['real_samples']}"), ("AUC", _rate(figures["auc"])),
            *((f"detection at {rate} false positives", _rate((figures[f"detection_at_{rate}_fpr"] or {}).get("detection_rate")))
              for rate in ("0.01", "0.001")),
            ("expected calibration error", _rate(figures["expected_calibration_error"])),
            (f"threshold for {figures['target_false_positive_rate']:g} false positives",
             "n/a" if chosen is None else f"{chosen['threshold']:.6f} (measured {chosen['false_positive_rate']:.4f}, detects {chosen['detection_rate']:.4f})")]
    rows += [(f"AUC, {variant}", _rate(each["auc"])) for variant, each in figures["variants"].items()]
    return rows


@detectors_app.command("calibrate")
def calibrate_command(
    name: str,
    year: Annotated[int | None, typer.Option("--year", help="Only items graded in this year.")] = None,
    rate: Annotated[float, typer.Option("--fpr", help="The false-positive rate to choose the threshold for.")] = 0.01,
    fmt: Annotated[CalibrationFormat, typer.Option("--format")] = CalibrationFormat.text,
    db: DbOption = None,
) -> None:
    """Measure a detector on the case's confirmed real and AI-made images and their JPEG, resized
    and cropped variants; the figures are stored and printed (numbers only)."""
    settings = load_settings(db)
    store, audit = _store(db)
    figures = manage.calibrate(store, name, year, rate, settings)
    audit.append(cli_actor(), "detector.calibrate", name, {"year": year, "items": figures["items"], "auc": figures["auc"]})
    if fmt is CalibrationFormat.json:
        output.print_json(json.dumps(figures))
    elif fmt is CalibrationFormat.html:
        cells = "".join(f"<tr><th scope=\"row\">{html.escape(label)}</th><td>{html.escape(value)}</td></tr>" for label, value in _lines(figures))
        output.print(f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Calibration of {html.escape(name)}</title></head>"
                     f"<body><h1>Calibration of {html.escape(name)}</h1><table>{cells}</table></body></html>", markup=False, highlight=False)
    else:
        for label, value in _lines(figures):
            console.print(f"{label}: {value}", highlight=False)
