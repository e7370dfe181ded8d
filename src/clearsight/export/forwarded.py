"""What a report carries when it is passed on to a partner (an INHOPE hotline, NCMEC): the
report's fields, its lifecycle, and its items as hashes with their confirmed grades. Never the
media, never free text (notes and prompts stay in the case database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from clearsight.assess.audit import AuditLog
from clearsight.assess.grading import Grading
from clearsight.assess.schema import AI_PRODUCTIONS, Grade
from clearsight.store.items import ItemStore
from clearsight.store.reports import ReportStore


@dataclass(frozen=True)
class ForwardedItem:
    id: int
    media_type: str
    hashes: dict[str, str]
    grade: Grade | None
    """The confirmed current grade (none while it awaits its second person)."""

    @property
    def ai_made(self) -> bool:
        """Graded as made with AI (realistic, not realistic, or a real image altered)."""
        return self.grade is not None and self.grade.production in AI_PRODUCTIONS


@dataclass(frozen=True)
class ForwardedReport:
    report: dict[str, Any]
    """The report's row and its actions (`ReportStore.get`)."""
    items: list[ForwardedItem]

    @property
    def reference(self) -> str:
        """The report's id in the hotline's own system when it was imported, else Clearsight's."""
        return str(self.report["external_id"] or self.report["id"])

    @property
    def incident_at(self) -> datetime:
        received: datetime = self.report["received_at"]
        return received


def forwarded_reports(engine: Engine, report_ids: list[int]) -> list[ForwardedReport]:
    """These reports with their items' hashes and confirmed grades (a missing report is an error)."""
    store, items, grading = ReportStore(engine), ItemStore(engine), Grading(engine, AuditLog(engine))
    forwarded = []
    for report_id in report_ids:
        report = store.get(report_id)
        grades = grading.confirmed_grades(report["items"])
        details = [detail for detail in (items.item(item_id) for item_id in report["items"]) if detail is not None]
        forwarded.append(ForwardedReport(report, [ForwardedItem(detail.id, detail.media_type, detail.hashes, grades.get(detail.id)) for detail in details]))
    return forwarded
