"""Detectors in the case database: the models a hotline added, their calibrations, and the items
a calibration runs over. The model file is kept in the database (the case's one store, SQLite or
PostgreSQL alike), identified by its SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table, delete, extract, insert, select, update
from sqlalchemy.exc import IntegrityError

from clearsight.errors import ClearsightError
from clearsight.store.grades import assessments_t, confirmed_current, items_t
from clearsight.store.models import Detector, DetectorCalibration

detectors_t: Table = Detector.__table__  # type: ignore[assignment]
calibrations_t: Table = DetectorCalibration.__table__  # type: ignore[assignment]
AI_PRODUCTIONS = ("ai_realistic", "ai_non_realistic", "ai_altered_real")
"""Productions graded as AI-made: a calibration's positives (`real` are its negatives; drawn or
CGI and unknown are neither)."""


@dataclass(frozen=True)
class DetectorRow:
    """A detector as listed: no model bytes."""

    id: int
    name: str
    sha256: str
    card: dict[str, Any]
    enabled: bool
    verdicts: bool
    ceiling: float | None
    added_at: datetime
    added_by: str
    calibration: dict[str, Any] | None
    """The latest calibration's results, if any."""


class DetectorStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, name: str, model: bytes, card: dict[str, Any], actor: str) -> str:
        """Store a checked model and card under `name`; its SHA-256."""
        digest = hashlib.sha256(model).hexdigest()
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(detectors_t).values(name=name, model=model, sha256=digest, card=card, enabled=True, verdicts=False,
                                                        added_at=datetime.now(UTC), added_by=actor))
        except IntegrityError:
            raise ClearsightError(f"a detector named {name!r} exists already (remove it first)") from None
        return digest

    def rows(self) -> list[DetectorRow]:
        """Every detector, by name, with its latest calibration."""
        with self.engine.connect() as conn:
            latest = {detector_id: results for detector_id, results in conn.execute(
                select(calibrations_t.c.detector_id, calibrations_t.c.results).order_by(calibrations_t.c.id))}
            rows = conn.execute(select(detectors_t.c.id, detectors_t.c.name, detectors_t.c.sha256, detectors_t.c.card, detectors_t.c.enabled,
                                       detectors_t.c.verdicts, detectors_t.c.ceiling, detectors_t.c.added_at, detectors_t.c.added_by)
                                .order_by(detectors_t.c.name)).all()
        return [DetectorRow(*row, calibration=latest.get(row.id)) for row in rows]

    def row(self, name: str) -> DetectorRow:
        found = next((row for row in self.rows() if row.name == name), None)
        if found is None:
            raise ClearsightError(f"no detector named {name!r} (clearsight detectors list)")
        return found

    def model(self, name: str) -> bytes:
        with self.engine.connect() as conn:
            model: bytes | None = conn.execute(select(detectors_t.c.model).where(detectors_t.c.name == name)).scalar()
        if model is None:
            raise ClearsightError(f"no detector named {name!r} (clearsight detectors list)")
        return model

    def set(self, name: str, **values: Any) -> None:
        """Change `enabled`, `verdicts` or `ceiling` of a detector."""
        with self.engine.begin() as conn:
            if not conn.execute(update(detectors_t).where(detectors_t.c.name == name).values(**values)).rowcount:
                raise ClearsightError(f"no detector named {name!r} (clearsight detectors list)")

    def remove(self, name: str) -> None:
        with self.engine.begin() as conn:
            if not conn.execute(delete(detectors_t).where(detectors_t.c.name == name)).rowcount:
                raise ClearsightError(f"no detector named {name!r} (clearsight detectors list)")

    def save_calibration(self, name: str, year: int | None, results: dict[str, Any]) -> None:
        detector_id = self.row(name).id
        with self.engine.begin() as conn:
            conn.execute(insert(calibrations_t).values(detector_id=detector_id, at=datetime.now(UTC), year=year, results=results))

    def graded_images(self, year: int | None) -> list[tuple[int, str, int]]:
        """(item id, path, label: 1 AI-made, 0 real) of the image items whose current grade is
        confirmed with a known production, graded in `year` if given."""
        query = confirmed_current(items_t.c.id, items_t.c.path, assessments_t.c.production).where(
            items_t.c.media_type == "image", assessments_t.c.production.in_(("real", *AI_PRODUCTIONS)))
        if year is not None:
            query = query.where(extract("year", assessments_t.c.created_at) == year)
        with self.engine.connect() as conn:
            return [(item_id, path, int(production != "real")) for item_id, path, production in conn.execute(query.order_by(items_t.c.id))]
