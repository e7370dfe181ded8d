"""The detector services the CLI (and any other face) calls: adding a checked model, deciding
whether a detector's score may move a verdict, preparing the models a scan runs, calibrating."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from clearsight.config import DetectorRun, Settings
from clearsight.detectors.calibrate import results, score_items
from clearsight.detectors.card import card_from_record, parse_card
from clearsight.detectors.runtime import available, load
from clearsight.errors import ClearsightError
from clearsight.store.db import open_engine
from clearsight.store.detectors import DetectorRow, DetectorStore
from clearsight.store.key_files import write_new

NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
MAX_MODEL_BYTES = 2 * 1024**3


def add(store: DetectorStore, name: str, model_path: Path, card_path: Path, actor: str) -> DetectorRow:
    """Check the card, load the model and compare them, then store both."""
    if not NAME.fullmatch(name):
        raise ClearsightError(f"a detector name is 1-64 lower-case letters, digits, '.', '_' or '-', not {name[:70]!r}")
    if model_path.stat().st_size > MAX_MODEL_BYTES:
        raise ClearsightError(f"the model is over {MAX_MODEL_BYTES // 1024**3} GiB")
    card = parse_card(card_path.read_bytes())
    model = model_path.read_bytes()
    load(model, card)
    store.add(name, model, card.record(), actor)
    return store.row(name)


def gate(row: DetectorRow) -> tuple[bool, str]:
    """Whether this detector's score may make a verdict `ai`, and why (not): an admin turned its
    verdicts on with a false-positive ceiling, its latest calibration met the ceiling, and that
    calibration had enough real samples to measure a rate that small."""
    calibration = row.calibration
    if not row.verdicts or row.ceiling is None:
        return False, "detector verdicts are off (clearsight detectors verdicts NAME on --ceiling RATE)"
    if calibration is None or calibration.get("chosen") is None:
        return False, "not calibrated on this case (clearsight detectors calibrate NAME)"
    needed = math.ceil(1 / row.ceiling)
    if calibration["real_samples"] < needed:
        return False, f"its calibration had {calibration['real_samples']} real samples; a ceiling of {row.ceiling:g} needs {needed}"
    measured = calibration["chosen"]["false_positive_rate"]
    if measured > row.ceiling:
        return False, f"its calibrated false-positive rate {measured:.4f} is over the ceiling {row.ceiling:g}"
    return True, f"calibrated false-positive rate {measured:.4f}, ceiling {row.ceiling:g}"


def scan_runs(store: DetectorStore, cache_dir: Path) -> tuple[DetectorRun, ...]:
    """The enabled detectors as a scan's workers run them: each model written once to the cache
    (named by its SHA-256) for the workers to open, with the threshold and false-positive rate of
    its latest calibration (the card's threshold and none while uncalibrated)."""
    runs = []
    for row in store.rows():
        if not row.enabled:
            continue
        path = cache_dir / "detectors" / f"{row.sha256}.onnx"
        if not path.is_file():
            write_new(path, store.model(row.name))
        chosen = (row.calibration or {}).get("chosen")
        allowed, _ = gate(row)
        runs.append(DetectorRun(name=row.name, sha256=row.sha256, model_path=path, card=row.card,
                                threshold=chosen["threshold"] if chosen else row.card["threshold"],
                                false_positive_rate=chosen["false_positive_rate"] if chosen else None, verdicts=allowed))
    return tuple(runs)


def with_detectors(settings: Settings) -> Settings:
    """`settings` with the case database's enabled detectors to run. With none (the default),
    nothing changes and ONNX Runtime is never imported; with some but without the extra, the
    command fails with how to install it rather than recording a failure on every item."""
    runs = scan_runs(DetectorStore(open_engine(settings.db)), settings.cache_dir)
    if runs:
        available()
    return replace(settings, detectors=runs) if runs else settings


def calibrate(store: DetectorStore, name: str, year: int | None, rate: float, settings: Settings) -> dict[str, Any]:
    """Score the case's confirmed real and AI-made images (and their variants), store the figures
    and return them."""
    if not 0 < rate < 1:
        raise ClearsightError(f"the false-positive rate must be between 0 and 1, not {rate:g}")
    row = store.row(name)
    detector = load(store.model(name), card_from_record(row.card))
    items = store.graded_images(year)
    figures = results(score_items(detector, ((path, label) for _, path, label in items), settings.limits), rate, len(items))
    figures = {"detector": name, "version": row.card["version"], "year": year, **figures}
    store.save_calibration(name, year, figures)
    return figures
