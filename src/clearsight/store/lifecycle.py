"""Reports' takedown lifecycles in the case database: recording events, and the aggregate
query the time-to-removal figures are built from.

A lifecycle is the report's rows of `report_actions` read in time order. The figures are
computed in SQL (one grouped query per table, on SQLite and PostgreSQL alike) so that a million
events are aggregated by the database, not read into Python row by row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    Integer,
    Table,
    and_,
    case,
    cast,
    extract,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.sql import Subquery

from clearsight.store.bulk import copy_rows, member_of
from clearsight.store.grades import assessments_t, confirmed_current, items_t
from clearsight.store.models import Report, ReportAction, ReportItem
from clearsight.store.records import EventRecord, RowError

reports_t: Table = Report.__table__  # type: ignore[assignment]
actions_t: Table = ReportAction.__table__  # type: ignore[assignment]
report_items_t: Table = ReportItem.__table__  # type: ignore[assignment]

NOTICE, ACKNOWLEDGED, REMOVED, STILL_LIVE, REAPPEARED, ESCALATED = "notice", "acknowledged", "removed", "still_live", "reappeared", "escalated"
LIFECYCLE_EVENTS = (ACKNOWLEDGED, REMOVED, STILL_LIVE, REAPPEARED, ESCALATED)
"""What is observed about a report after its notice (the actions taken on it are `intake.reports.ACTIONS`)."""
DAY_SECONDS = 86_400
SORT_MEMORY_MB = 256
WITHIN_DAYS = (1, 3, 7)
"""The removal shares hotline networks publish: within 1, 3 and 7 days of the first notice."""
DIMENSIONS = {"hosting_country": func.coalesce(reports_t.c.hosting_country, "unknown"), "site_type": reports_t.c.site_type,
              "web_layer": reports_t.c.web_layer, "host": reports_t.c.domain}
"""What the time-to-removal figures are broken down by, as report columns."""


@dataclass
class BatchResult:
    """What one batch of a bulk update did."""

    added: int = 0
    """New events."""
    recorded_at: datetime | None = None
    """The time written on every event this batch added: with the actor, it finds them again."""
    already: int = 0
    """Rows recorded before (the same report, event and time): a re-run of a file adds nothing twice."""
    errors: list[RowError] = field(default_factory=list)


def aware_utc(at: datetime) -> datetime:
    """A time as the databases' comparison key: aware (SQLite gives back naive UTC; aware times
    compare and hash by their instant, whatever their zone)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _seconds(conn: Connection, later: ColumnElement[Any], earlier: ColumnElement[Any]) -> ColumnElement[Any]:
    """Whole seconds from `earlier` to `later` (SQLite keeps times as text, read by julianday),
    as an integer: PostgreSQL's extract() gives a numeric, and sorting a million numerics took
    seconds where integers take a fraction."""
    if conn.dialect.name == "postgresql":
        return cast(func.round(extract("epoch", later - earlier)), BigInteger)
    return cast(func.round((func.julianday(later) - func.julianday(earlier)) * DAY_SECONDS), BigInteger)


def _year(conn: Connection, at: ColumnElement[Any]) -> ColumnElement[Any]:
    """The UTC year of a time (PostgreSQL would otherwise take the session's zone), as an integer."""
    return cast(extract("year", func.timezone("UTC", at) if conn.dialect.name == "postgresql" else at), Integer)


def record_batch(conn: Connection, events: Sequence[EventRecord], actor: str) -> BatchResult:
    """Store one batch of checked events in the caller's transaction: rows naming an unknown
    report are refused with their line, rows already recorded are counted and skipped."""
    result = BatchResult()
    refs = sorted({event.report_ref for event in events})
    ids = dict(conn.execute(select(reports_t.c.external_id, reports_t.c.id).where(member_of(conn, reports_t.c.external_id, refs))).all())
    known = [event for event in events if event.report_ref in ids]
    result.errors = [RowError(event.line, f"no report {event.report_ref!r} (reports are named by the id they were imported with)")
                     for event in events if event.report_ref not in ids]
    # By report only: with an action filter too, PostgreSQL's planner (its statistics stale in a
    # bulk import) read every event of those actions for each batch, and the import slowed as it grew.
    present = {(report_id, action, aware_utc(at)) for report_id, action, at in conn.execute(
        select(actions_t.c.report_id, actions_t.c.action, actions_t.c.at).where(member_of(conn, actions_t.c.report_id, sorted({ids[event.report_ref] for event in known})))).all()}
    rows = []
    for event in known:
        key = (ids[event.report_ref], event.action, aware_utc(event.at))
        if key in present:
            result.already += 1
            continue
        present.add(key)
        rows.append({"report_id": key[0], "action": event.action, "at": event.at, "recipient": event.recipient, "note": event.note, "url": event.url})
    if rows:
        result.added, result.recorded_at = len(rows), datetime.now(UTC)
        _insert_events(conn, rows, {"actor": actor, "recorded_at": result.recorded_at})
    return result


def _insert_events(conn: Connection, rows: list[dict[str, Any]], constants: dict[str, Any]) -> None:
    """Insert event rows that share `constants` (by binary COPY on PostgreSQL, where a multi-row
    VALUES insert spent half the import rewriting statements: `store.bulk`)."""
    if conn.dialect.name != "postgresql":
        conn.execute(insert(actions_t).values(constants), rows)
        return
    columns = [("report_id", "int4"), ("action", "text"), ("at", "timestamptz"), ("recipient", "text"), ("note", "text"), ("url", "text")]
    copy_rows(conn, actions_t.name, [*columns, ("actor", "text"), ("recorded_at", "timestamptz")],
              ((*(row[name] for name, _ in columns), constants["actor"], constants["recorded_at"]) for row in rows))


def _first_notices() -> Subquery:
    return (select(actions_t.c.report_id, func.min(actions_t.c.at).label("noticed_at"))
            .where(actions_t.c.action == NOTICE).group_by(actions_t.c.report_id).subquery("first_notice"))


def _removals(notices: Subquery) -> Subquery:
    """Each noticed report's first removal at or after its first notice."""
    return (select(actions_t.c.report_id, func.min(actions_t.c.at).label("removed_at"))
            .join(notices, notices.c.report_id == actions_t.c.report_id)
            .where(actions_t.c.action == REMOVED, actions_t.c.at >= notices.c.noticed_at).group_by(actions_t.c.report_id).subquery("removal"))


def _rank(removed: ColumnElement[Any], percent: int) -> ColumnElement[Any]:
    """The nearest-rank position of a percentile among `removed` sorted values: ceil(p/100 * n), in integers."""
    return (removed * percent + 99) // 100


def removal_rows(engine: Engine, dimensions: Sequence[str], years: Sequence[int]) -> list[dict[str, Any]]:
    """Per dimension, value of it and year of first notice: reports noticed, removed after it,
    the median and 90th-percentile seconds to removal (nearest rank, over removed reports), how
    many were removed within each of `WITHIN_DAYS`, and how many are still open.

    One query for all the dimensions: each report's first notice and removal are found once (a
    common table expression) and ranked under each dimension, rather than the million events
    being aggregated again per dimension."""
    with engine.connect() as conn:
        notices = _first_notices()
        removal = _removals(notices)
        year = _year(conn, notices.c.noticed_at)
        timed = (select(year.label("year"), _seconds(conn, removal.c.removed_at, notices.c.noticed_at).label("seconds"),
                        *(DIMENSIONS[dimension].label(dimension) for dimension in dimensions))
                 .select_from(notices.join(reports_t, reports_t.c.id == notices.c.report_id).outerjoin(removal, removal.c.report_id == notices.c.report_id))
                 .where(year.in_(list(years))).cte("timed"))
        # Dimensions by number: a text literal in the sort key was compared by the locale, row by row.
        base = union_all(*(select(literal(number).label("dimension"), _bytewise(conn, timed.c[dimension]).label("value"), timed.c.year, timed.c.seconds)
                           for number, dimension in enumerate(dimensions))).subquery("by_dimension")
        group = (base.c.dimension, base.c.value, base.c.year)
        ranked = select(base, func.row_number().over(partition_by=group, order_by=(case((base.c.seconds.is_(None), 1), else_=0), base.c.seconds)).label("position"),
                        func.count(base.c.seconds).over(partition_by=group).label("removed")).subquery("ranked")
        removed_seconds = ranked.c.seconds.is_not(None)
        query = select(ranked.c.dimension, ranked.c.value, ranked.c.year, func.count().label("notices"), func.max(ranked.c.removed).label("removed"),
                       func.min(case((and_(removed_seconds, ranked.c.position == _rank(ranked.c.removed, 50)), ranked.c.seconds))).label("median_seconds"),
                       func.min(case((and_(removed_seconds, ranked.c.position == _rank(ranked.c.removed, 90)), ranked.c.seconds))).label("p90_seconds"),
                       *(func.sum(case((ranked.c.seconds <= days * DAY_SECONDS, 1), else_=0)).label(f"within_{days}d") for days in WITHIN_DAYS),
                       func.sum(case((ranked.c.seconds.is_(None), 1), else_=0)).label("still_live")).group_by(ranked.c.dimension, ranked.c.value, ranked.c.year)
        _sort_memory(conn)
        return [{**_plain(dict(row)), "dimension": dimensions[row.dimension]} for row in conn.execute(query).mappings()]


def _bytewise(conn: Connection, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """A text column compared byte by byte: grouping only needs equal values together, and
    PostgreSQL's locale-aware comparison made sorting a million rows four times slower."""
    return value.collate("C") if conn.dialect.name == "postgresql" else value


def _sort_memory(conn: Connection) -> None:
    """Let PostgreSQL sort a year's reports in memory: at its default 4 MB per sort, ranking
    250,000 reports spilled to disk and took 8.7 s."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SET LOCAL work_mem = '{SORT_MEMORY_MB}MB'"))


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A row's numbers as Python ints and floats (PostgreSQL's sums and rounds are Decimals)."""
    return {key: value if key == "value" or value is None else float(value) if key.endswith("_seconds") else int(value)
            for key, value in row.items()}


def still_live_rows(engine: Engine, cutoffs: Mapping[int, datetime], threshold: timedelta) -> dict[tuple[str, int], int]:
    """Per hosting country and year: reports first noticed in that year, at least `threshold`
    before its cutoff, with no removal observed by the cutoff (times in UTC, as stored); all the
    years in one query."""
    with engine.connect() as conn:
        notices = _first_notices()
        removal = _removals(notices)
        country, year = DIMENSIONS["hosting_country"], _year(conn, notices.c.noticed_at)
        open_at = [and_(year == each, notices.c.noticed_at <= cutoff - threshold, or_(removal.c.removed_at.is_(None), removal.c.removed_at > cutoff))
                   for each, cutoff in cutoffs.items()]
        query = (select(country, year, func.count()).select_from(
                    notices.join(reports_t, reports_t.c.id == notices.c.report_id).outerjoin(removal, removal.c.report_id == notices.c.report_id))
                 .where(or_(*open_at)).group_by(country, year))
        return {(value, int(each)): count for value, each, count in conn.execute(query)}


def reappearance_rows(engine: Engine, years: Sequence[int]) -> dict[tuple[str, int], int]:
    """Re-appearances per kind (`same_url`, or `new_url` when matching found the item elsewhere)
    and year observed."""
    with engine.connect() as conn:
        kind = case((actions_t.c.url.is_(None), "same_url"), else_="new_url")
        year = _year(conn, actions_t.c.at)
        query = (select(kind, year, func.count()).where(actions_t.c.action == REAPPEARED, year.in_(list(years))).group_by(kind, year))
        return {(value, int(each)): count for value, each, count in conn.execute(query)}


def live_criminal_reports(engine: Engine) -> list[dict[str, Any]]:
    """Reports (id, url) with a confirmed criminal item whose URL is live by its last observation:
    no removal observed, or a re-check (`still_live`) or a re-appearance at the same URL after the
    last removal. A re-appearance at a new URL is the new report's, not this one's."""
    criminal_items = confirmed_current(items_t.c.id).where(assessments_t.c.outcome == "criminal")
    criminal = select(report_items_t.c.report_id).where(report_items_t.c.item_id.in_(criminal_items)).distinct().subquery("criminal")
    observed = (select(actions_t.c.report_id,
                       func.max(case((actions_t.c.action == REMOVED, actions_t.c.at))).label("removed_at"),
                       func.max(case((or_(actions_t.c.action == STILL_LIVE, and_(actions_t.c.action == REAPPEARED, actions_t.c.url.is_(None))),
                                      actions_t.c.at))).label("live_at"))
                .where(actions_t.c.action.in_((REMOVED, STILL_LIVE, REAPPEARED))).group_by(actions_t.c.report_id).subquery("observed"))
    query = (select(reports_t.c.id, reports_t.c.url).join(criminal, criminal.c.report_id == reports_t.c.id)
             .outerjoin(observed, observed.c.report_id == reports_t.c.id)
             .where(or_(observed.c.removed_at.is_(None), observed.c.live_at > observed.c.removed_at)).order_by(reports_t.c.id))
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]
