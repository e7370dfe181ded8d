"""Grades and the four-eyes review: who may grade, confirm, dispute and decide, and in what state.

A grade starts `pending`. A second person (never its author) confirms it (`confirmed`) or
disputes it (`disputed`); a reviewer who is neither the author nor the disputer (a third person)
decides a dispute, finally: upholding it (`confirmed`) or
replacing it with their own grade (the old one `overruled`, the new one `confirmed`). An author
may re-grade their own pending grade (the old one `superseded`). Grades copied onto exact
duplicates point at the grade they copy (`source_id`) and always share its state. Automatic
grades of known items are `confirmed` from the start and say why in `automatic`; grades an analyst
imports in the app are `pending` like any other (only an administrator's command-line import of
another system's records keeps them confirmed, each one audited).

The item's current grade is its newest one that is neither superseded nor overruled; only
confirmed grades count in report-level figures. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, insert, or_, select, update

from clearsight.assess.audit import AuditLog
from clearsight.assess.jurisdictions import derived_labels
from clearsight.assess.schema import Grade
from clearsight.errors import ClearsightError
from clearsight.store.grades import (
    CONFIRMED,
    DISPUTED,
    OVERRULED,
    PENDING,
    REPLACED,
    SUPERSEDED,
    assessments_t,
    confirmed_current,
    current_grades,
    items_t,
    reviews_t,
)
from clearsight.store.models import ItemHash

hashes_t: Table = ItemHash.__table__  # type: ignore[assignment]

DECIDERS = ("reviewer", "admin")
CATEGORY_BASES = ("indecent_photo", "pseudo_photo")
"""The legal bases UK categories A-C apply to; a one-key category grade keeps the last one used."""
QUICK_GRADES = {"a": ("Category A", "criminal"), "b": ("Category B", "criminal"), "c": ("Category C", "criminal"),
                "n": ("Not criminal", "not_criminal"), "u": ("Unable to assess", "unable_to_assess")}
"""The one-key grades: key -> (label, outcome)."""
GRADE_COLUMNS = ("outcome", "uk_legal_basis", "uk_category", "age_band", "sex", "child_count", "production", "flags", "series")


def grade_values(grade: Grade) -> dict[str, Any]:
    """The assessment row's grade columns and the derived labels of `grade`."""
    return grade.as_dict() | {"labels": derived_labels(grade)}


def grade_of(row: Any) -> Grade:
    """The Grade held by an assessment row."""
    values = {name: row[name] for name in GRADE_COLUMNS}
    return Grade(**(values | {"flags": tuple(values["flags"] or ())}))


class Grading:
    def __init__(self, engine: Engine, audit: AuditLog) -> None:
        self.engine = engine
        self.audit = audit

    def current(self, item_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            return self._current(conn, item_id)

    def _current(self, conn: Connection, item_id: int) -> dict[str, Any] | None:
        row = conn.execute(select(assessments_t).where(assessments_t.c.item_id == item_id, assessments_t.c.review_state.not_in(REPLACED))
                           .order_by(assessments_t.c.id.desc()).limit(1)).mappings().first()
        return dict(row) if row is not None else None

    def history(self, item_id: int) -> list[dict[str, Any]]:
        """Every grade of the item, oldest first, each with its reviews."""
        with self.engine.connect() as conn:
            grades = [dict(row) for row in conn.execute(select(assessments_t).where(assessments_t.c.item_id == item_id).order_by(assessments_t.c.id)).mappings()]
            ids = [grade["source_id"] or grade["id"] for grade in grades]
            reviews = conn.execute(select(reviews_t).where(reviews_t.c.assessment_id.in_(ids)).order_by(reviews_t.c.id)).mappings().all()
        for grade in grades:
            grade["reviews"] = [dict(review) for review in reviews if review["assessment_id"] == (grade["source_id"] or grade["id"])]
        return grades

    def duplicates(self, item_id: int) -> list[int]:
        """Other items with the same SHA-256 (the same bytes) and no current grade."""
        with self.engine.connect() as conn:
            return self._ungraded_duplicates(conn, item_id)

    def _ungraded_duplicates(self, conn: Connection, item_id: int) -> list[int]:
        same = select(hashes_t.c.value).where(hashes_t.c.item_id == item_id, hashes_t.c.signal_type == "sha256").scalar_subquery()
        graded = select(current_grades().subquery().c.item_id)
        query = select(hashes_t.c.item_id).where(hashes_t.c.signal_type == "sha256", hashes_t.c.value == same, hashes_t.c.item_id != item_id,
                                                 hashes_t.c.item_id.not_in(graded)).order_by(hashes_t.c.item_id)
        return list(conn.execute(query).scalars())

    def grade(self, item_id: int, analyst: str, grade: Grade, exposure_seconds: float = 0.0, to_duplicates: bool = False,
              others: Sequence[int] = ()) -> int:
        """Record `analyst`'s grade of an item (and, if asked, of its ungraded exact duplicates and
        of the ungraded items among `others`: its near-duplicate cluster). The copies name the item
        they were graded from and share its review."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            if conn.execute(select(items_t.c.id).where(items_t.c.id == item_id)).first() is None:
                raise ClearsightError(f"no item {item_id}")
            current = self._current(conn, item_id)
            if current is not None and not (current["analyst"] == analyst and current["review_state"] == PENDING):
                raise ClearsightError("this item already has a grade; confirm or dispute it instead")
            if current is not None:
                self._set_state(conn, current["id"], SUPERSEDED)
            row = grade_values(grade) | {"analyst": analyst, "created_at": now, "review_state": PENDING, "exposure_seconds": exposure_seconds}
            assessment_id: int = conn.execute(insert(assessments_t).values(item_id=item_id, **row).returning(assessments_t.c.id)).scalar_one()
            copies = self._ungraded_duplicates(conn, item_id) if to_duplicates else []
            copies += self._ungraded(conn, sorted(set(others) - set(copies) - {item_id}))
            if copies:
                conn.execute(insert(assessments_t), [row | {"item_id": copy, "duplicate_of": item_id, "source_id": assessment_id, "exposure_seconds": 0.0}
                                                     for copy in copies])
        self.audit.append(analyst, "grade", str(item_id), {"assessment": assessment_id, **grade_values(grade), "duplicates": copies})
        return assessment_id

    def carried(self, analyst: str) -> Grade:
        """What a one-key grade carries over from `analyst`'s newest criminal grade of their own: its legal
        basis (a photograph's, for a category), age band and sex, until they change them."""
        with self.engine.connect() as conn:
            row = conn.execute(select(assessments_t).where(assessments_t.c.analyst == analyst, assessments_t.c.automatic.is_(None),
                                                           assessments_t.c.source_id.is_(None), assessments_t.c.outcome == "criminal")
                               .order_by(assessments_t.c.id.desc()).limit(1)).mappings().first()
        if row is None:
            return Grade("criminal", CATEGORY_BASES[0], "none")
        basis = row["uk_legal_basis"] if row["uk_legal_basis"] in CATEGORY_BASES else CATEGORY_BASES[0]
        return Grade("criminal", basis, "none", age_band=row["age_band"], sex=row["sex"])

    def quick_grade(self, item_id: int, analyst: str, key: str, exposure_seconds: float = 0.0, others: Sequence[int] = ()) -> int:
        """A grade from one key (`QUICK_GRADES`): a category with what `carried` gives, or an
        outcome that needs nothing else; applied to the item's ungraded exact duplicates too, and
        to the ungraded items among `others` (its cluster, when the analyst accepted that)."""
        if key not in QUICK_GRADES:
            raise ClearsightError(f"no one-key grade {key[:8]!r} (keys: {', '.join(QUICK_GRADES)})")
        carried = self.carried(analyst)
        grade = replace(carried, uk_category=key.upper()) if key in "abc" else Grade(QUICK_GRADES[key][1])
        return self.grade(item_id, analyst, grade, exposure_seconds, to_duplicates=True, others=others)

    def withdraw_last(self, analyst: str) -> int | None:
        """Undo: `analyst`'s newest grade, while it still awaits review, no longer stands (it is
        kept, superseded, with its copies). The item it graded, or None when there is nothing to undo."""
        with self.engine.begin() as conn:
            row = conn.execute(select(assessments_t.c.id, assessments_t.c.item_id, assessments_t.c.review_state)
                               .where(assessments_t.c.analyst == analyst, assessments_t.c.automatic.is_(None), assessments_t.c.source_id.is_(None),
                                      assessments_t.c.review_state.not_in(REPLACED))
                               .order_by(assessments_t.c.id.desc()).limit(1)).first()
            if row is None or row.review_state != PENDING:
                return None
            self._set_state(conn, row.id, SUPERSEDED)
        self.audit.append(analyst, "grade.withdraw", str(row.item_id), {"assessment": row.id})
        return int(row.item_id)

    def _ungraded(self, conn: Connection, item_ids: Sequence[int]) -> list[int]:
        graded = select(current_grades().subquery().c.item_id)
        return list(conn.execute(select(items_t.c.id).where(items_t.c.id.in_(list(item_ids)), items_t.c.id.not_in(graded)).order_by(items_t.c.id)).scalars())

    def _set_state(self, conn: Connection, assessment_id: int, state: str) -> None:
        conn.execute(update(assessments_t).where(or_(assessments_t.c.id == assessment_id, assessments_t.c.source_id == assessment_id))
                     .values(review_state=state))

    def _under_review(self, conn: Connection, assessment_id: int, actor: str, state: str) -> dict[str, Any]:
        row = conn.execute(select(assessments_t).where(assessments_t.c.id == assessment_id)).mappings().first()
        if row is None or row["source_id"] is not None:
            raise ClearsightError(f"no reviewable grade {assessment_id} (copies are reviewed with the grade they copy)")
        if row["review_state"] != state:
            raise ClearsightError(f"this grade is {row['review_state']}, not {state}")
        if row["analyst"] == actor:
            raise ClearsightError("a grade needs a second person: you cannot review your own")
        return dict(row)

    def _record_review(self, conn: Connection, assessment_id: int, actor: str, decision: str, note: str | None) -> None:
        conn.execute(insert(reviews_t).values(assessment_id=assessment_id, reviewer=actor, decision=decision, note=note or None, at=datetime.now(UTC)))

    def _disputers(self, conn: Connection, assessment_id: int) -> set[str]:
        return set(conn.execute(select(reviews_t.c.reviewer).where(reviews_t.c.assessment_id == assessment_id, reviews_t.c.decision == "dispute")).scalars())

    def may_decide(self, assessment_id: int, actor: str) -> bool:
        """Whether `actor` is a third person to this disputed grade (for pages to offer the choice)."""
        with self.engine.connect() as conn:
            return actor not in self._disputers(conn, assessment_id)

    def confirm(self, assessment_id: int, actor: str) -> None:
        with self.engine.begin() as conn:
            row = self._under_review(conn, assessment_id, actor, PENDING)
            self._record_review(conn, assessment_id, actor, "confirm", None)
            self._set_state(conn, assessment_id, CONFIRMED)
        self.audit.append(actor, "review.confirm", str(row["item_id"]), {"assessment": assessment_id})

    def dispute(self, assessment_id: int, actor: str, note: str) -> None:
        if not note.strip():
            raise ClearsightError("say why you dispute the grade")
        with self.engine.begin() as conn:
            row = self._under_review(conn, assessment_id, actor, PENDING)
            self._record_review(conn, assessment_id, actor, "dispute", note.strip())
            self._set_state(conn, assessment_id, DISPUTED)
        self.audit.append(actor, "review.dispute", str(row["item_id"]), {"assessment": assessment_id})

    def decide(self, assessment_id: int, actor: str, role: str, replacement: Grade | None, note: str = "") -> int:
        """A reviewer's final word on a disputed grade: uphold it (no replacement) or replace it.
        Returns the id of the grade that now stands."""
        if role not in DECIDERS:
            raise ClearsightError("only a reviewer decides a disputed grade")
        with self.engine.begin() as conn:
            row = self._under_review(conn, assessment_id, actor, DISPUTED)
            if actor in self._disputers(conn, assessment_id):
                raise ClearsightError("a dispute is decided by a third person: you disputed this grade")
            self._record_review(conn, assessment_id, actor, "uphold" if replacement is None else "overrule", note.strip())
            if replacement is None:
                self._set_state(conn, assessment_id, CONFIRMED)
                standing = assessment_id
            else:
                self._set_state(conn, assessment_id, OVERRULED)
                values = grade_values(replacement) | {"analyst": actor, "created_at": datetime.now(UTC), "review_state": CONFIRMED}
                standing = conn.execute(insert(assessments_t).values(item_id=row["item_id"], exposure_seconds=0.0, **values)
                                        .returning(assessments_t.c.id)).scalar_one()
                copies = conn.execute(select(assessments_t.c.item_id).where(assessments_t.c.source_id == assessment_id)).scalars().all()
                if copies:
                    conn.execute(insert(assessments_t), [values | {"item_id": copy, "duplicate_of": row["item_id"], "source_id": standing, "exposure_seconds": 0.0}
                                                         for copy in copies])
        self.audit.append(actor, "review.uphold" if replacement is None else "review.overrule", str(row["item_id"]),
                          {"assessment": assessment_id, "standing": standing} | ({"grade": grade_values(replacement)} if replacement else {}))
        return standing

    def confirmed_grades(self, item_ids: Sequence[int]) -> dict[int, Grade]:
        """The confirmed current grade of each of these items that has one."""
        query = confirmed_current(assessments_t).where(assessments_t.c.item_id.in_(list(item_ids)))
        with self.engine.connect() as conn:
            return {row["item_id"]: grade_of(row) for row in conn.execute(query).mappings()}
