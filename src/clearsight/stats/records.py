"""What the statistics count, read from the case database: one row per graded item, one per report.

Only confirmed current grades count (a grade awaiting its second person, or one overruled, does
not). An item counts in the year it was assessed; a report in the year it was received.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from clearsight.store.grades import assessments_t, confirmed_current, items_t
from clearsight.store.models import Report, ReportItem

reports_t = Report.__table__
report_items_t = ReportItem.__table__


@dataclass(frozen=True)
class CountedItem:
    item_id: int
    year: int
    media_type: str
    outcome: str
    uk_category: str
    age_band: str
    sex: str
    production: str


@dataclass
class CountedReport:
    report_id: int
    year: int
    site_type: str
    hosting_country: str
    commercial: str
    web_layer: str
    items: list[CountedItem] = field(default_factory=list)


def load(engine: Engine) -> tuple[list[CountedItem], list[CountedReport]]:
    """Every item with a confirmed grade, and every report with the confirmed items attached to it."""
    query = confirmed_current(items_t.c.id, items_t.c.media_type, assessments_t.c.created_at, assessments_t.c.outcome, assessments_t.c.uk_category,
                              assessments_t.c.age_band, assessments_t.c.sex, assessments_t.c.production)
    with engine.connect() as conn:
        items = {row.id: CountedItem(row.id, row.created_at.year, row.media_type, row.outcome, row.uk_category, row.age_band, row.sex, row.production)
                 for row in conn.execute(query)}
        attached: dict[int, list[int]] = defaultdict(list)
        for report_id, item_id in conn.execute(select(report_items_t.c.report_id, report_items_t.c.item_id)):
            attached[report_id].append(item_id)
        reports = [CountedReport(row.id, row.received_at.year, row.site_type, row.hosting_country or "unknown", row.commercial, row.web_layer,
                                 [items[item_id] for item_id in attached.get(row.id, []) if item_id in items])
                   for row in conn.execute(select(reports_t))]
    return list(items.values()), reports
