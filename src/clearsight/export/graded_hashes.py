"""Graded items as a hash list, in the formats partners ingest, written by the bank formats' own
writers (so every export reads back through `clearsight bank import`).

Only items whose grade is confirmed are exported. Each entry carries the label its format
uses: the UK category in CSV (`uk:A`), the VICS category (`vics:1`, with the tag
`AI-generated` for AI-made items) in VICS 2.0 JSON, and the NCMEC industry classification
(A1-B2, with a `generativeAi` file annotation for AI-made items) in NCMEC XML; items a scheme
gives no label are left out of that scheme's file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import Engine, select

from clearsight.assess.schema import AI_PRODUCTIONS
from clearsight.banks.formats import FORMATS
from clearsight.banks.formats.base import ExportContext
from clearsight.store.grades import assessments_t, confirmed_current, items_t
from clearsight.store.models import ItemHash
from clearsight.store.records import BankRecord

hashes_t = ItemHash.__table__
EXPORT_FORMATS = ("csv", "vics", "ncmec")
AI_TAG = "AI-generated"


def _graded(engine: Engine, year: int | None) -> Iterator[dict[str, Any]]:
    query = confirmed_current(items_t.c.id, items_t.c.media_type, assessments_t.c.outcome, assessments_t.c.uk_category, assessments_t.c.production,
                              assessments_t.c.labels, assessments_t.c.created_at).order_by(items_t.c.id)
    with engine.connect() as conn:
        rows = [dict(row) for row in conn.execute(query).mappings() if year is None or row["created_at"].year == year]
        hashes: dict[int, dict[str, str]] = {}
        for item_id, signal, value in conn.execute(select(hashes_t.c.item_id, hashes_t.c.signal_type, hashes_t.c.value)
                                                   .where(hashes_t.c.signal_type.in_(("md5", "sha1", "sha256", "pdq")))):
            hashes.setdefault(item_id, {})[signal] = value
    for row in rows:
        if hashes.get(row["id"]):
            yield row | {"hashes": hashes[row["id"]]}


def _record(row: dict[str, Any], fmt: str) -> BankRecord | None:
    """The entry one graded item becomes in `fmt`, or None when that scheme gives it no label."""
    ai = row["production"] in AI_PRODUCTIONS
    labels = row["labels"] or {}
    ref = str(row["id"])
    if fmt == "vics":
        if labels.get("vics_category") is None:
            return None
        tags = [AI_TAG] if ai else []
        return BankRecord(row["hashes"], f"vics:{labels['vics_category']}", ref, None, {"vics": {"Tags": tags}} if tags else {})
    if fmt == "ncmec":
        if not labels.get("ncmec_industry"):
            return None
        return BankRecord({k: v for k, v in row["hashes"].items() if k != "sha256"}, labels["ncmec_industry"], ref, None,
                          {"ncmec": {"kind": row["media_type"], **({"annotations": ["generativeAi"]} if ai else {})}})
    if row["outcome"] != "criminal":
        return None
    return BankRecord(row["hashes"], f"uk:{row['uk_category']}" if row["uk_category"] != "none" else "criminal", ref)


def export_graded(engine: Engine, fmt: str, stream: TextIO, year: int | None = None, source: str = "clearsight") -> int:
    """Write the confirmed graded items as a `fmt` hash list; returns how many entries were written."""
    records = [record for row in _graded(engine, year) if (record := _record(row, fmt)) is not None]
    FORMATS[fmt].write(records, stream, ExportContext(bank="graded items", source=source, version=str(year) if year else None))
    return len(records)
