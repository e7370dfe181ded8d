"""Grades in the case database: the assessments and reviews tables, the review states a grade
passes through, and the queries that pick out each item's current grade.

The four-eyes rules that move a grade from state to state are `assess.grading`'s; what is here
needs only the tables, and sits in the store because store queries (the queue, imported records)
read and write grades too, and the store imports no higher layer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Table, func, select

from clearsight.store.models import Assessment, MediaItem, Review

assessments_t: Table = Assessment.__table__  # type: ignore[assignment]
reviews_t: Table = Review.__table__  # type: ignore[assignment]
items_t: Table = MediaItem.__table__  # type: ignore[assignment]

PENDING, CONFIRMED, DISPUTED, OVERRULED, SUPERSEDED = "pending", "confirmed", "disputed", "overruled", "superseded"
REPLACED = (OVERRULED, SUPERSEDED)
"""States of grades that no longer stand: an item's current grade is its newest grade in any other state."""


def current_grades() -> Select[Any]:
    """(item_id, assessment id) of every item's current grade, as a subquery source."""
    return (select(assessments_t.c.item_id, func.max(assessments_t.c.id).label("assessment_id"))
            .where(assessments_t.c.review_state.not_in(REPLACED)).group_by(assessments_t.c.item_id))


def confirmed_current(*columns: Any) -> Select[Any]:
    """`columns` of the items whose current grade is confirmed (what figures and exports count),
    from the items joined to those grades."""
    current = current_grades().subquery()
    joined = items_t.join(current, current.c.item_id == items_t.c.id).join(assessments_t, assessments_t.c.id == current.c.assessment_id)
    return select(*columns).select_from(joined).where(assessments_t.c.review_state == CONFIRMED)
