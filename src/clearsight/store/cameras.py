"""Seized cameras' sensor fingerprints in the case database (SQLite or PostgreSQL alike)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, Table, delete, insert, select
from sqlalchemy.exc import IntegrityError

from clearsight.errors import ClearsightError
from clearsight.store.models import Camera

cameras_t: Table = Camera.__table__  # type: ignore[assignment]
STORED = np.dtype("<f2")


@dataclass(frozen=True)
class CameraRow:
    """A camera as listed: no pattern."""

    name: str
    width: int
    height: int
    photos: list[dict[str, Any]]
    sha256: str
    added_at: datetime


def pattern_bytes(pattern: npt.NDArray[np.float32]) -> bytes:
    return np.ascontiguousarray(pattern, dtype=STORED).tobytes()


class CameraStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, name: str, pattern: npt.NDArray[np.float32], photos: list[dict[str, Any]]) -> CameraRow:
        """Store a camera's fingerprint (height x width) under a new name."""
        data = pattern_bytes(pattern)
        row = CameraRow(name, int(pattern.shape[1]), int(pattern.shape[0]), photos, hashlib.sha256(data).hexdigest(), datetime.now(UTC))
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(cameras_t).values(name=row.name, width=row.width, height=row.height, photos=row.photos, fingerprint=data,
                                                      sha256=row.sha256, added_at=row.added_at))
        except IntegrityError:
            raise ClearsightError(f"a camera named {name!r} exists already (remove it first, or choose another name)") from None
        return row

    def rows(self) -> list[CameraRow]:
        with self.engine.connect() as conn:
            found = conn.execute(select(cameras_t.c.name, cameras_t.c.width, cameras_t.c.height, cameras_t.c.photos, cameras_t.c.sha256,
                                        cameras_t.c.added_at).order_by(cameras_t.c.name)).all()
        return [CameraRow(*row) for row in found]

    def pattern(self, name: str) -> npt.NDArray[np.float32]:
        """A camera's fingerprint as float32 (height x width)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(cameras_t.c.fingerprint, cameras_t.c.width, cameras_t.c.height).where(cameras_t.c.name == name)).first()
        if row is None:
            raise ClearsightError(f"no camera named {name!r} (clearsight cameras list)")
        return np.frombuffer(row.fingerprint, STORED).reshape(row.height, row.width).astype(np.float32)

    def remove(self, name: str) -> None:
        with self.engine.begin() as conn:
            if not conn.execute(delete(cameras_t).where(cameras_t.c.name == name)).rowcount:
                raise ClearsightError(f"no camera named {name!r} (clearsight cameras list)")
