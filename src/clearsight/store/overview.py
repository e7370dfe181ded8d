"""The case overview's figures (the web app's `/`): how far the work has come, with no imagery.

Each figure is one grouped query, so the page stays fast on a case of millions of items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, Table, case, func, select

from clearsight.store.grades import CONFIRMED, DISPUTED, PENDING, assessments_t, current_grades, items_t
from clearsight.store.models import BankEntry, ItemMatch, ItemProvenance, Report

provenance_t: Table = ItemProvenance.__table__  # type: ignore[assignment]
matches_t: Table = ItemMatch.__table__  # type: ignore[assignment]
reports_t: Table = Report.__table__  # type: ignore[assignment]
entries_t: Table = BankEntry.__table__  # type: ignore[assignment]
STATES = ("ungraded", "pending review", "disputed", "confirmed", "known (automatic)")
"""The states an item's work is in, in the order the overview lists them."""


@dataclass
class Overview:
    items: int = 0
    by_type: dict[str, dict[str, int]] = field(default_factory=dict)
    """Media type -> state (`STATES`) -> items."""
    matched: int = 0
    """Items with at least one bank match."""
    verdicts: dict[str, int] = field(default_factory=dict)
    reports: dict[str, int] = field(default_factory=dict)
    """Report outcome (`open` while it has none) -> reports."""
    bank_entries: int = 0
    grades_today: int = 0
    grades_last_hour: int = 0


def overview(engine: Engine, analyst: str, now: datetime) -> Overview:
    """The overview for `analyst` at `now` (their grades today and in the last hour)."""
    current = current_grades().subquery()
    state = case((current.c.item_id.is_(None), STATES[0]), (assessments_t.c.automatic.is_not(None), STATES[4]),
                 (assessments_t.c.review_state == PENDING, STATES[1]), (assessments_t.c.review_state == DISPUTED, STATES[2]),
                 (assessments_t.c.review_state == CONFIRMED, STATES[3]), else_=STATES[0])
    by_state = (select(items_t.c.media_type, state, func.count())
                .select_from(items_t.outerjoin(current, current.c.item_id == items_t.c.id).outerjoin(assessments_t, assessments_t.c.id == current.c.assessment_id))
                .group_by(items_t.c.media_type, state))
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    mine = select(func.count()).where(assessments_t.c.analyst == analyst, assessments_t.c.automatic.is_(None))
    found = Overview()
    with engine.connect() as conn:
        for media_type, each, count in conn.execute(by_state):
            found.by_type.setdefault(media_type, dict.fromkeys(STATES, 0))[each] += count
            found.items += count
        found.matched = conn.execute(select(func.count(func.distinct(matches_t.c.item_id)))).scalar_one()
        found.verdicts = dict(conn.execute(select(provenance_t.c.verdict, func.count()).group_by(provenance_t.c.verdict)).all())
        found.reports = {outcome or "open": count for outcome, count in conn.execute(select(reports_t.c.outcome, func.count()).group_by(reports_t.c.outcome))}
        found.bank_entries = conn.execute(select(func.count()).select_from(entries_t)).scalar_one()
        found.grades_today = conn.execute(mine.where(assessments_t.c.created_at >= day)).scalar_one()
        found.grades_last_hour = conn.execute(mine.where(assessments_t.c.created_at >= now - timedelta(hours=1))).scalar_one()
    return found
