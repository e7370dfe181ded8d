"""Reading scanned items for the web app: the queue (ungraded first, filterable), one item's details,
and the graded items that look like it (PDQ neighbours)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, Select, Table, case, exists, func, select

from clearsight.hashing.bits import hamming_distances, hex_to_words
from clearsight.store.clusters import clusters_t
from clearsight.store.grades import CONFIRMED, DISPUTED, PENDING, assessments_t, current_grades
from clearsight.store.models import ItemErrorRecord, ItemHash, ItemMatch, ItemMatchState, ItemProvenance, ItemVideo, MediaItem, Report, ReportItem
from clearsight.store.sealing import Sealer

items_t: Table = MediaItem.__table__  # type: ignore[assignment]
hashes_t: Table = ItemHash.__table__  # type: ignore[assignment]
errors_t: Table = ItemErrorRecord.__table__  # type: ignore[assignment]
provenance_t: Table = ItemProvenance.__table__  # type: ignore[assignment]
videos_t: Table = ItemVideo.__table__  # type: ignore[assignment]
matches_t: Table = ItemMatch.__table__  # type: ignore[assignment]
match_state_t: Table = ItemMatchState.__table__  # type: ignore[assignment]
reports_t: Table = Report.__table__  # type: ignore[assignment]
report_items_t: Table = ReportItem.__table__  # type: ignore[assignment]
PAGE = 100
NEIGHBOUR_DISTANCE = 31
"""PDQ distance within which a graded item is shown as similar (the usual PDQ match threshold)."""
QUEUES = ("unassessed", "review", "disputed", "known", "done", "all")


@dataclass(frozen=True)
class QueueFilter:
    """What the analyst asked the queue for; empty strings mean any."""

    queue: str = "unassessed"
    media_type: str = ""
    verdict: str = ""
    matched: str = ""
    report: int | None = None
    site_type: str = ""
    min_score: float | None = None
    """Only items a detector scored at least this (indicative scores, see `provenance.detector`)."""
    order: str = ""
    """`score`: highest detector score first; otherwise ungraded first, then newest."""


@dataclass
class ItemDetail:
    id: int
    path: str
    parent_id: int | None
    media_type: str
    mime: str | None
    size: int
    hashes: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    provenance: dict[str, Any] | None = None
    vpdq: dict[str, Any] | None = None
    first_seen: date | None = None
    """The earliest date the case saw it: when it was first scanned, or received in a report."""


class ItemStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sealer = Sealer(engine)

    def queue(self, wanted: QueueFilter, viewer: str, page: int = 0, banks_key: str = "") -> tuple[list[dict[str, Any]], int]:
        """(a page of queue rows, total matching): media files only, ungraded first, then newest first.

        `unassessed` lists only items matched against the banks in state `banks_key` (see
        `assess.known`); `review` grades awaiting a second person other than `viewer`; `known`
        the automatic grades."""
        query, ordered = self._queue_query(wanted, viewer, banks_key)
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            rows = [dict(row) for row in conn.execute(ordered.limit(PAGE).offset(page * PAGE)).mappings()]
        return rows, total

    def next_ungraded(self, viewer: str, banks_key: str) -> int | None:
        """The item the `unassessed` queue lists first (where grading goes on), if any: its first
        row alone, without counting the queue (this runs on every one-key grade)."""
        _, ordered = self._queue_query(QueueFilter("unassessed"), viewer, banks_key)
        with self.engine.connect() as conn:
            first: int | None = conn.execute(ordered.limit(1)).scalar()
        return first

    def _queue_query(self, wanted: QueueFilter, viewer: str, banks_key: str) -> tuple[Select[Any], Select[Any]]:
        """The queue's rows as asked (for counting) and the same in the queue's order."""
        current = current_grades().subquery()
        sizes = select(clusters_t.c.cluster_id, func.count().label("size")).group_by(clusters_t.c.cluster_id).subquery("cluster_sizes")
        query: Select[Any] = (
            select(items_t.c.id, items_t.c.path, items_t.c.media_type, items_t.c.size, provenance_t.c.verdict, provenance_t.c.detector_score,
                   assessments_t.c.review_state, assessments_t.c.analyst, assessments_t.c.uk_category, assessments_t.c.automatic,
                   clusters_t.c.cluster_id, sizes.c.size.label("cluster_size"))
            .select_from(items_t.outerjoin(provenance_t, provenance_t.c.item_id == items_t.c.id)
                         .outerjoin(current, current.c.item_id == items_t.c.id)
                         .outerjoin(assessments_t, assessments_t.c.id == current.c.assessment_id)
                         .outerjoin(clusters_t, clusters_t.c.item_id == items_t.c.id)
                         .outerjoin(sizes, sizes.c.cluster_id == clusters_t.c.cluster_id))
            .where(items_t.c.media_type.in_(("image", "video")))
        )
        # A near-duplicate waits behind its cluster's representative until that is graded (its
        # grade is offered to the cluster); after that, what is still ungraded is listed itself.
        represented = current_grades().subquery("represented")
        shown_alone = (clusters_t.c.item_id.is_(None) | (clusters_t.c.cluster_id == items_t.c.id)
                       | exists().where(represented.c.item_id == clusters_t.c.cluster_id))
        state = assessments_t.c.review_state
        query = query.where({
            "unassessed": current.c.item_id.is_(None) & shown_alone & exists().where(match_state_t.c.item_id == items_t.c.id, match_state_t.c.banks_key == banks_key),
            "review": (state == PENDING) & (assessments_t.c.analyst != viewer),
            "disputed": state == DISPUTED,
            "known": assessments_t.c.automatic.is_not(None),
            "done": (state == CONFIRMED) & assessments_t.c.automatic.is_(None),
            "all": items_t.c.id.is_not(None),
        }[wanted.queue if wanted.queue in QUEUES else "unassessed"])
        if wanted.media_type:
            query = query.where(items_t.c.media_type == wanted.media_type)
        if wanted.verdict:
            query = query.where(provenance_t.c.verdict == wanted.verdict)
        if wanted.matched:
            has_match = exists().where(matches_t.c.item_id == items_t.c.id)
            query = query.where(has_match if wanted.matched == "yes" else ~has_match)
        if wanted.report is not None:
            query = query.where(exists().where(report_items_t.c.item_id == items_t.c.id, report_items_t.c.report_id == wanted.report))
        if wanted.site_type:
            query = query.where(exists().where(report_items_t.c.item_id == items_t.c.id, reports_t.c.id == report_items_t.c.report_id,
                                               reports_t.c.site_type == wanted.site_type))
        if wanted.min_score is not None:
            query = query.where(provenance_t.c.detector_score >= wanted.min_score)
        by_score = (case((provenance_t.c.detector_score.is_(None), 1), else_=0), provenance_t.c.detector_score.desc()) if wanted.order == "score" else ()
        return query, query.order_by(*by_score, case((current.c.item_id.is_(None), 0), else_=1), items_t.c.id.desc())

    def neighbours(self, item_id: int, pdq: str | None) -> list[dict[str, Any]]:
        """Graded items whose PDQ is within NEIGHBOUR_DISTANCE of `pdq`, nearest first."""
        if not pdq:
            return []
        current = current_grades().subquery()
        query = (select(hashes_t.c.item_id, hashes_t.c.value, assessments_t.c.outcome, assessments_t.c.uk_category, assessments_t.c.review_state)
                 .join(current, current.c.item_id == hashes_t.c.item_id).join(assessments_t, assessments_t.c.id == current.c.assessment_id)
                 .where(hashes_t.c.signal_type == "pdq", hashes_t.c.item_id != item_id))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        if not rows:
            return []
        found = hamming_distances(hex_to_words([row["value"] for row in rows]), hex_to_words([pdq]))
        near = [(int(distance), row) for distance, row in zip(found, rows, strict=True) if distance <= NEIGHBOUR_DISTANCE]
        return [dict(row) | {"distance": distance} for distance, row in sorted(near, key=lambda pair: pair[0])]

    def item(self, item_id: int) -> ItemDetail | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(items_t).where(items_t.c.id == item_id)).mappings().first()
            if row is None:
                return None
            received = conn.execute(select(func.min(reports_t.c.received_at)).join(report_items_t, report_items_t.c.report_id == reports_t.c.id)
                                    .where(report_items_t.c.item_id == item_id)).scalar()
            seen = min(when for when in (row["first_seen"], received) if when is not None)
            detail = ItemDetail(row["id"], row["path"], row["parent_id"], row["media_type"], row["mime"], row["size"], first_seen=seen.date())
            detail.hashes = {name: value for name, value in conn.execute(select(hashes_t.c.signal_type, hashes_t.c.value).where(hashes_t.c.item_id == item_id))
                             if "@" not in name}
            detail.errors = list(conn.execute(select(errors_t.c.message).where(errors_t.c.item_id == item_id)).scalars())
            detail.provenance = self.sealer.open(conn.execute(select(provenance_t.c.record).where(provenance_t.c.item_id == item_id)).scalar(), "provenance")
            video = conn.execute(select(videos_t.c.frames, videos_t.c.sampled_fps, videos_t.c.duration).where(videos_t.c.item_id == item_id)).first()
            if video is not None:
                detail.vpdq = {"frames": video.frames, "sampled_fps": video.sampled_fps, "duration": video.duration}
        return detail
