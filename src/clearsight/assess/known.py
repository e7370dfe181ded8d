"""Known items: matched against the banks, and graded automatically when the answer is already known.

An analyst should never view an item someone has already graded. Two kinds of item are known:
exact duplicates (same SHA-256) of an item whose grade was confirmed, and exact hash matches
(MD5, SHA-1, SHA-256) of a bank entry whose classification is a grade (`A`, `B`, `C` with an
optional `uk:` or `category ` prefix, or a not-criminal label). Those get an automatic,
confirmed grade saying why, and leave the human queues. Perceptual (PDQ, vPDQ) matches are only
shown: a near match may be a different image, so a person decides.

Items are matched when the queue is opened, and again whenever a bank changes; the matches are
kept per item so the queue can filter on them, and an item joins the human queue only once it
has been matched (and, if known, graded).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, Table, delete, func, insert, or_, select

from clearsight.assess.audit import AuditLog
from clearsight.assess.grading import grade_of, grade_values
from clearsight.assess.schema import Grade
from clearsight.banks.matcher import Matcher, MatchQuery
from clearsight.store.grades import CONFIRMED, assessments_t, current_grades, reviews_t
from clearsight.store.models import Bank, ItemHash, ItemMatch, ItemMatchState, ItemVideo, MediaItem

matches_t: Table = ItemMatch.__table__  # type: ignore[assignment]
state_t: Table = ItemMatchState.__table__  # type: ignore[assignment]
banks_t: Table = Bank.__table__  # type: ignore[assignment]
hashes_t: Table = ItemHash.__table__  # type: ignore[assignment]
items_t: Table = MediaItem.__table__  # type: ignore[assignment]
videos_t: Table = ItemVideo.__table__  # type: ignore[assignment]

EXACT = ("md5", "sha1", "sha256")
CHUNK = 500
ACTOR = "auto"
_UK_LABEL = re.compile(r"(?:uk[:_ ]?)?(?:cat(?:egory)?[:_ ]?)?([abc])")
NOT_CRIMINAL_LABELS = frozenset({"not_criminal", "not criminal", "non-pertinent", "non_pertinent", "ignorable", "vics:0"})


def grade_from_classification(label: str | None) -> Grade | None:
    """The grade a bank classification states, or None when it states none we can use."""
    text = (label or "").strip().lower()
    if text in NOT_CRIMINAL_LABELS:
        return Grade(outcome="not_criminal")
    found = _UK_LABEL.fullmatch(text)
    if found:
        return Grade(outcome="criminal", uk_legal_basis="indecent_photo", uk_category=found[1].upper())
    return None


def banks_key(engine: Engine) -> str:
    """A digest of the banks' state: it changes whenever a bank is added, changed or re-imported."""
    with engine.connect() as conn:
        rows = [[row.id, row.updated_at.isoformat(), row.enabled] for row in conn.execute(select(banks_t.c.id, banks_t.c.updated_at, banks_t.c.enabled).order_by(banks_t.c.id))]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


class KnownItems:
    """Keeps every item matched against the banks as they are now, and grades the known ones.

    The human queue shows only items already matched against the current banks, so a known item
    never reaches a person while matching catches up. The queue runs `refresh_for` on each view:
    small cases are done at once, a large backlog (a new case, a changed bank) goes on in one
    background thread while the queue stays quick."""

    def __init__(self, engine: Engine, audit: AuditLog, matcher: Callable[[], Matcher]) -> None:
        """`matcher` builds a matcher over the case's banks; it is only called when there is matching to do."""
        self.engine = engine
        self.audit = audit
        self._make_matcher = matcher
        self._matcher: Matcher | None = None
        self._seen: tuple[Any, ...] | None = None
        self._busy = threading.Lock()

    def _fingerprint(self, key: str) -> tuple[Any, ...]:
        """What a refresh depends on: the banks, the newest item, grade and review (ids only grow)."""
        with self.engine.connect() as conn:
            newest = [conn.execute(select(func.max(table.c.id))).scalar() for table in (items_t, assessments_t, reviews_t)]
        return (key, *newest)

    def _stale(self, key: str) -> list[int]:
        """Media items not matched against the banks in the state `key` describes."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(items_t.c.id).outerjoin(state_t, state_t.c.item_id == items_t.c.id)
                                     .where(items_t.c.media_type.in_(("image", "video")), or_(state_t.c.banks_key.is_(None), state_t.c.banks_key != key))
                                     .order_by(items_t.c.id)).scalars())

    def refresh_for(self, seconds: float) -> int:
        """Refresh here for up to `seconds`, leaving the rest to a background thread; returns how
        many items are still waiting to be matched."""
        if not self._busy.acquire(blocking=False):
            return len(self._stale(banks_key(self.engine)))
        try:
            waiting = self._refresh(time.monotonic() + seconds)
        finally:
            self._busy.release()
        if waiting:
            threading.Thread(target=self.refresh, name="clearsight-known-items", daemon=True).start()
        return waiting

    def refresh(self) -> None:
        """Refresh to the end (unless another refresh is running)."""
        if self._busy.acquire(blocking=False):
            try:
                self._refresh(None)
            finally:
                self._busy.release()

    def _refresh(self, deadline: float | None) -> int:
        """Match what is stale chunk by chunk, grading the known ones before they count as matched;
        returns how many items were left when the deadline passed. Does nothing when nothing changed."""
        key = banks_key(self.engine)
        fingerprint = self._fingerprint(key)
        if fingerprint == self._seen:
            return 0
        stale = self._stale(key)
        for start in range(0, len(stale), CHUNK):
            chunk = stale[start : start + CHUNK]
            self._match(chunk)
            self._grade_known()
            self._mark(chunk, key)
            if deadline is not None and time.monotonic() >= deadline and start + CHUNK < len(stale):
                return len(stale) - start - CHUNK
        self._grade_known()
        self._seen = self._fingerprint(key)
        return 0

    def _match(self, item_ids: list[int]) -> None:
        """Replace these items' stored matches with their matches against the banks now."""
        if self._matcher is None:
            self._matcher = self._make_matcher()
        else:
            self._matcher.refresh()
        hashes: dict[int, dict[str, str]] = {item_id: {} for item_id in item_ids}
        qualities: dict[int, dict[str, int]] = {item_id: {} for item_id in item_ids}
        with self.engine.connect() as conn:
            for item_id, signal, value, quality in conn.execute(select(hashes_t.c.item_id, hashes_t.c.signal_type, hashes_t.c.value, hashes_t.c.quality)
                                                                .where(hashes_t.c.item_id.in_(item_ids))):
                hashes[item_id][signal] = value
                if quality is not None:
                    qualities[item_id][signal] = quality
            frames = {item_id: value for item_id, value in conn.execute(select(videos_t.c.item_id, videos_t.c.hashes).where(videos_t.c.item_id.in_(item_ids)))}
        queries = [MatchQuery({signal: value for signal, value in hashes[item_id].items() if "@" not in signal}, qualities[item_id], {}, frames.get(item_id))
                   for item_id in item_ids]
        rows = [{"item_id": item_id, "bank": match.bank, "signal": match.signal, "distance": match.distance, "classification": match.classification,
                 "ref": match.ref, "first_seen": match.first_seen} for item_id, report in zip(item_ids, self._matcher.match_many(queries), strict=True) for match in report.matches]
        with self.engine.begin() as conn:
            conn.execute(delete(matches_t).where(matches_t.c.item_id.in_(item_ids)))
            if rows:
                conn.execute(insert(matches_t), rows)

    def _mark(self, item_ids: list[int], key: str) -> None:
        """Record that these items were matched against the banks in state `key`."""
        with self.engine.begin() as conn:
            conn.execute(delete(state_t).where(state_t.c.item_id.in_(item_ids)))
            conn.execute(insert(state_t), [{"item_id": item_id, "banks_key": key} for item_id in item_ids])

    def _grade_known(self) -> int:
        """Automatic grades for ungraded items that are exact duplicates of confirmed grades or exact bank hits."""
        with self.engine.connect() as conn:
            grades = _duplicate_grades(conn)
            grades |= {item_id: grade for item_id, grade in _bank_grades(conn).items() if item_id not in grades}
        if not grades:
            return 0
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(insert(assessments_t), [values | {"item_id": item_id, "analyst": ACTOR, "created_at": now, "review_state": CONFIRMED,
                                                           "exposure_seconds": 0.0} for item_id, values in grades.items()])
        for item_id, values in grades.items():
            self.audit.append(ACTOR, "grade.automatic", str(item_id), {"why": values["automatic"], "outcome": values["outcome"], "uk_category": values["uk_category"]})
        return len(grades)

    def matches(self, item_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(select(matches_t).where(matches_t.c.item_id == item_id).order_by(matches_t.c.distance, matches_t.c.bank)).mappings()]


def _graded_items() -> Select[Any]:
    return select(current_grades().subquery().c.item_id)


def _duplicate_grades(conn: Connection) -> dict[int, dict[str, Any]]:
    """Assessment values for ungraded items with the SHA-256 of an item whose grade is confirmed."""
    current = current_grades().subquery()
    ungraded_hash, graded_hash = hashes_t.alias("ungraded_hash"), hashes_t.alias("graded_hash")
    rows = conn.execute(
        select(ungraded_hash.c.item_id.label("target"), graded_hash.c.item_id.label("source"), assessments_t)
        .join(graded_hash, (graded_hash.c.signal_type == "sha256") & (graded_hash.c.value == ungraded_hash.c.value))
        .join(current, current.c.item_id == graded_hash.c.item_id)
        .join(assessments_t, assessments_t.c.id == current.c.assessment_id)
        .where(ungraded_hash.c.signal_type == "sha256", ungraded_hash.c.item_id.not_in(_graded_items()), assessments_t.c.review_state == CONFIRMED)
        .order_by(ungraded_hash.c.item_id, graded_hash.c.item_id)
    ).mappings()
    grades: dict[int, dict[str, Any]] = {}
    for row in rows:
        grades.setdefault(row["target"], grade_values(grade_of(row)) | {
            "duplicate_of": row["source"], "automatic": f"exact duplicate of item {row['source']}, graded by {row['analyst']}"})
    return grades


def _bank_grades(conn: Connection) -> dict[int, dict[str, Any]]:
    """Assessment values for ungraded items with an exact hash match to a bank entry whose classification is a grade."""
    hits = conn.execute(select(matches_t).where(matches_t.c.signal.in_(EXACT), matches_t.c.item_id.not_in(_graded_items())).order_by(matches_t.c.id)).mappings()
    grades: dict[int, dict[str, Any]] = {}
    for hit in hits:
        grade = grade_from_classification(hit["classification"])
        if grade is not None and hit["item_id"] not in grades:
            entry = f" (entry {hit['ref']})" if hit["ref"] else ""
            grades[hit["item_id"]] = grade_values(grade) | {
                "duplicate_of": None, "automatic": f"{hit['signal']} match in bank {hit['bank']}{entry}, classified {hit['classification']}"}
    return grades
