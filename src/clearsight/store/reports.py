"""Reports in the case database: adding them (by hand, from files, from a scan run), their items and actions."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select
from sqlalchemy.exc import IntegrityError

from clearsight.errors import ClearsightError
from clearsight.store.grades import PENDING, assessments_t
from clearsight.store.models import ItemHash, MediaItem, Report, ReportAction, ReportItem, ScanRunItem
from clearsight.store.reappearance import record_reappearances
from clearsight.store.records import ReportRecord, RowError

reports_t: Table = Report.__table__  # type: ignore[assignment]
actions_t: Table = ReportAction.__table__  # type: ignore[assignment]
report_items_t: Table = ReportItem.__table__  # type: ignore[assignment]
run_items_t: Table = ScanRunItem.__table__  # type: ignore[assignment]
items_t: Table = MediaItem.__table__  # type: ignore[assignment]
hashes_t: Table = ItemHash.__table__  # type: ignore[assignment]


class ReportStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, records: Iterable[ReportRecord], actor: str, grades_state: str = PENDING) -> list[int]:
        """Store reports (with their actions, and the graded items of imported records) in one
        transaction; their new ids in order. Imported grades take `grades_state`: `pending` (a
        second person confirms them) unless an administrator migrates confirmed records. Items
        that are re-uploads of removed reports' items are recorded as their re-appearances."""
        now = datetime.now(UTC)
        ids = []
        with self.engine.begin() as conn:
            for record in records:
                report_id = conn.execute(insert(reports_t).values(
                    received_at=record.received_at, source=record.source, url=record.url, domain=record.domain, web_layer=record.web_layer,
                    hosting_country=record.hosting_country, site_type=record.site_type, commercial=record.commercial, outcome=record.outcome,
                    notes=record.notes, created_by=actor, created_at=now, external_id=record.external_id).returning(reports_t.c.id)).scalar_one()
                if record.actions:
                    conn.execute(insert(actions_t), [{"report_id": report_id, "action": action, "at": at, "actor": actor} for action, at in record.actions])
                if record.items:
                    _add_graded_items(conn, report_id, record, actor, grades_state)
                ids.append(report_id)
            record_reappearances(conn, ids)
        return ids

    def import_rows(self, rows: Iterable[ReportRecord | RowError], actor: str, grades_state: str = PENDING) -> tuple[list[int], list[RowError]]:
        """Store the good rows of a report file; returns the new report ids and every row refused
        (bad fields, or a record id already imported or repeated in the file), in file order."""
        rows = list(rows)
        records = [row for row in rows if isinstance(row, ReportRecord)]
        done = self.imported([record.external_id for record in records if record.external_id])
        errors = [row for row in rows if isinstance(row, RowError)]
        accepted: list[ReportRecord] = []
        for record in records:
            if record.external_id and record.external_id in done:
                errors.append(RowError(record.line, f"report {record.external_id} was imported already"))
                continue
            if record.external_id:
                done.add(record.external_id)
            accepted.append(record)
        return self.add(accepted, actor, grades_state), sorted(errors, key=lambda error: error.row)

    def imported(self, external_ids: Sequence[str]) -> set[str]:
        """Which of these record ids were imported already."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(reports_t.c.external_id).where(reports_t.c.external_id.in_(list(external_ids)))).scalars())

    def add_action(self, report_id: int, action: str, at: datetime, actor: str, recipient: str | None = None, note: str | None = None) -> None:
        """Record one action taken or lifecycle event observed, entered by hand."""
        self.get(report_id)
        with self.engine.begin() as conn:
            conn.execute(insert(actions_t).values(report_id=report_id, action=action, at=at, actor=actor, recipient=recipient, note=note,
                                                  recorded_at=datetime.now(UTC)))

    def attach(self, report_id: int, item_ids: Sequence[int]) -> int:
        """Attach items to a report (those already attached are skipped); how many were new. An
        item that is a re-upload of a removed report's item is recorded as its re-appearance."""
        self.get(report_id)
        with self.engine.begin() as conn:
            present = set(conn.execute(select(report_items_t.c.item_id).where(report_items_t.c.report_id == report_id)).scalars())
            known = set(conn.execute(select(items_t.c.id).where(items_t.c.id.in_(list(item_ids)))).scalars())
            new = sorted(known - present)
            try:
                if new:
                    conn.execute(insert(report_items_t), [{"report_id": report_id, "item_id": item_id} for item_id in new])
            except IntegrityError:
                raise ClearsightError("those items were attached at the same moment by someone else; reload") from None
            if new:
                record_reappearances(conn, [report_id])
        return len(new)

    def run_items(self, run_id: int) -> list[int]:
        """The media items of a scan run, for a report created from a scan."""
        with self.engine.connect() as conn:
            ids = list(conn.execute(select(run_items_t.c.item_id).join(items_t, items_t.c.id == run_items_t.c.item_id)
                                    .where(run_items_t.c.run_id == run_id, items_t.c.media_type.in_(("image", "video")))).scalars())
        if not ids:
            raise ClearsightError(f"scan run {run_id} has no images or videos")
        return ids

    def get(self, report_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(select(reports_t).where(reports_t.c.id == report_id)).mappings().first()
            if row is None:
                raise ClearsightError(f"no report {report_id}")
            report = dict(row)
            report["actions"] = [dict(action) for action in conn.execute(select(actions_t).where(actions_t.c.report_id == report_id).order_by(actions_t.c.at)).mappings()]
            report["items"] = list(conn.execute(select(report_items_t.c.item_id).where(report_items_t.c.report_id == report_id).order_by(report_items_t.c.item_id)).scalars())
        return report

    def all(self, site_type: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """The newest reports with their item counts."""
        counts = select(report_items_t.c.report_id, func.count().label("item_count")).group_by(report_items_t.c.report_id).subquery()
        query = select(reports_t, func.coalesce(counts.c.item_count, 0).label("items")).outerjoin(counts, counts.c.report_id == reports_t.c.id)
        if site_type:
            query = query.where(reports_t.c.site_type == site_type)
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query.order_by(reports_t.c.received_at.desc()).limit(limit)).mappings()]

    def of_item(self, item_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(select(reports_t.c.id, reports_t.c.url, reports_t.c.site_type)
                                                      .join(report_items_t, report_items_t.c.report_id == reports_t.c.id)
                                                      .where(report_items_t.c.item_id == item_id)).mappings()]


def _add_graded_items(conn: Connection, report_id: int, record: ReportRecord, actor: str, state: str) -> None:
    """An imported record's items: an item per graded item (named `record:REPORT/ITEM`, no file),
    its hashes, and its grade in `state`."""
    rows = [{"version_key": hashlib.sha256(f"record\0{record.external_id}\0{item.external_id}".encode()).hexdigest(),
             "path": f"record:{record.external_id or report_id}/{item.external_id}", "size": 0, "mtime_ns": 0, "media_type": item.media_type,
             "mime": None, "first_seen": item.assessed_at} for item in record.items]
    item_ids = conn.execute(insert(items_t).returning(items_t.c.id, sort_by_parameter_order=True), rows).scalars().all()
    hashes = [{"item_id": item_id, "signal_type": signal, "value": value, "quality": None}
              for item_id, item in zip(item_ids, record.items, strict=True) for signal, value in item.hashes.items()]
    if hashes:
        conn.execute(insert(hashes_t), hashes)
    conn.execute(insert(assessments_t), [item.grade_columns | {
        "item_id": item_id, "analyst": actor, "created_at": item.assessed_at, "review_state": state, "exposure_seconds": 0.0}
        for item_id, item in zip(item_ids, record.items, strict=True)])
    conn.execute(insert(report_items_t), [{"report_id": report_id, "item_id": item_id} for item_id in item_ids])
