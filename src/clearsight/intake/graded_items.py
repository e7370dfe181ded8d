"""Items graded in another system, as they come inside exported report records.

A hotline moving to Clearsight brings years of graded items; the statistics must be computed from
them exactly as from grades made here. Each item is checked field by field and every bad field is
named (`items[2].uk_category: ...`), so one look at the error list fixes a whole export.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from clearsight.assess.grading import grade_values
from clearsight.assess.schema import CHOICES, Grade, parse_grade
from clearsight.banks.records import normalize_hash
from clearsight.errors import ClearsightError
from clearsight.intake.times import parse_time
from clearsight.store.records import ItemRecord

MEDIA_TYPES = ("image", "video")
ITEM_FIELDS = ("item_id", "media_type", "assessed_at", "outcome", "uk_legal_basis", "uk_category", "age_band", "sex", "production", "sha256", "pdq")
MAX_ITEMS = 100_000


def item_record(values: Mapping[str, Any]) -> ItemRecord:
    """One checked item; ClearsightError listing every bad field."""
    problems: list[str] = []
    external = str(values.get("item_id") or "").strip()
    if not external:
        problems.append("item_id is required")
    media_type = str(values.get("media_type") or "").strip().lower()
    if media_type not in MEDIA_TYPES:
        problems.append(f"media_type must be image or video, not {media_type[:20]!r}")
    assessed: datetime | None = None
    try:
        assessed = parse_time(values.get("assessed_at"), "assessed_at")
    except ClearsightError as exc:
        problems.append(str(exc))
    for name, allowed in CHOICES.items():
        raw = str(values.get(name) or "").strip()
        if raw and raw not in allowed:
            problems.append(f"{name} must be one of {', '.join(allowed)}, not {raw[:40]!r}")
    hashes: dict[str, str] = {}
    for signal in ("sha256", "pdq"):
        if values.get(signal):
            try:
                hashes[signal] = normalize_hash(signal, str(values[signal]))
            except ValueError as exc:
                problems.append(str(exc))
    grade: Grade | None = None
    if not problems:
        try:
            grade = parse_grade(values)
        except ClearsightError as exc:
            problems.append(str(exc))
    if problems or grade is None or assessed is None:
        raise ClearsightError("; ".join(problems))
    return ItemRecord(external, media_type, assessed, grade_values(grade), hashes)


def item_records(raw: Any) -> list[ItemRecord]:
    """The `items` list of a report record (absent or empty: none)."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or len(raw) > MAX_ITEMS:
        raise ClearsightError(f"items must be a list of at most {MAX_ITEMS:,} objects")
    items, problems = [], []
    for index, values in enumerate(raw):
        try:
            if not isinstance(values, dict):
                raise ClearsightError("must be an object")
            items.append(item_record(values))
        except ClearsightError as exc:
            problems.append(f"items[{index}]: {exc}")
    if problems:
        raise ClearsightError("; ".join(problems))
    seen = [item.external_id for item in items]
    if len(set(seen)) != len(seen):
        raise ClearsightError("items: an item_id appears twice")
    return items
