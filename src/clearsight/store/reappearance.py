"""Re-appearances found by matching: an item of a report whose content was removed, seen again in a
newer report (a re-upload, usually at a new URL).

Each report that gains items is compared with the items of every report with a removal observed
before it was received: by exact file digest (MD5, SHA-1, SHA-256) and by PDQ within HMA's match
distance, so a re-encoded or resized re-upload is found too. A find is recorded as a `reappeared`
event on the earlier report, naming the new report and its URL (none when the URL is the same),
at the time the new report was received; the same pair is never recorded twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.sql import Subquery

from clearsight.hashing.bits import PDQ_MATCH_DISTANCE, hamming_distances, hex_to_words
from clearsight.store.bulk import chunks
from clearsight.store.lifecycle import REAPPEARED, REMOVED, aware_utc
from clearsight.store.models import ItemHash, Report, ReportAction, ReportItem

reports_t: Table = Report.__table__  # type: ignore[assignment]
actions_t: Table = ReportAction.__table__  # type: ignore[assignment]
report_items_t: Table = ReportItem.__table__  # type: ignore[assignment]
hashes_t: Table = ItemHash.__table__  # type: ignore[assignment]

EXACT_SIGNALS = ("md5", "sha1", "sha256")
MATCHER = "matching"
"""The actor of re-appearances Clearsight records itself."""


@dataclass(frozen=True)
class Reappearance:
    earlier_report: int
    new_report: int
    signal: str
    """What matched: a file digest, or `pdq`."""


CHUNK = 5_000
"""Values bound in one IN list (a records import adds many thousands of reports at once)."""


def _hashes(conn: Connection, report_ids: Sequence[int], signals: Sequence[str]) -> list[tuple[int, str, str]]:
    """(report, signal, value) of the items attached to these reports."""
    return [(report_id, signal, value) for chunk in chunks(report_ids, CHUNK) for report_id, signal, value in conn.execute(
        select(report_items_t.c.report_id, hashes_t.c.signal_type, hashes_t.c.value)
        .join(hashes_t, hashes_t.c.item_id == report_items_t.c.item_id)
        .where(report_items_t.c.report_id.in_(chunk), hashes_t.c.signal_type.in_(list(signals))))]


def _removed_reports() -> Subquery:
    """Each report with a removal observed, and its first removal's time."""
    return (select(actions_t.c.report_id, func.min(actions_t.c.at).label("removed_at"))
            .where(actions_t.c.action == REMOVED).group_by(actions_t.c.report_id).subquery("removed_reports"))


def _candidates(conn: Connection, new_hashes: list[tuple[int, str, str]]) -> set[tuple[int, int, str]]:
    """(earlier report, new report, signal) pairs whose items share a digest or a near PDQ."""
    removed = _removed_reports()
    found: set[tuple[int, int, str]] = set()
    for signal in EXACT_SIGNALS:
        wanted: dict[str, set[int]] = {}
        for report_id, kind, value in new_hashes:
            if kind == signal:
                wanted.setdefault(value, set()).add(report_id)
        for chunk in chunks(sorted(wanted), CHUNK):
            rows = conn.execute(select(report_items_t.c.report_id, hashes_t.c.value)
                                .join(hashes_t, hashes_t.c.item_id == report_items_t.c.item_id)
                                .join(removed, removed.c.report_id == report_items_t.c.report_id)
                                .where(hashes_t.c.signal_type == signal, hashes_t.c.value.in_(chunk)))
            found |= {(earlier, new, signal) for earlier, value in rows for new in wanted[value]}
    pdq = [(report_id, value) for report_id, kind, value in new_hashes if kind == "pdq"]
    if pdq:
        known = conn.execute(select(report_items_t.c.report_id, hashes_t.c.value).join(hashes_t, hashes_t.c.item_id == report_items_t.c.item_id)
                             .join(removed, removed.c.report_id == report_items_t.c.report_id).where(hashes_t.c.signal_type == "pdq")).all()
        if known:
            codes = hex_to_words([value for _, value in known])
            for new, value in pdq:
                near = hamming_distances(codes, hex_to_words([value])) <= PDQ_MATCH_DISTANCE
                found |= {(known[int(index)][0], new, "pdq") for index in near.nonzero()[0]}
    return {pair for pair in found if pair[0] != pair[1]}


def record_reappearances(conn: Connection, report_ids: Sequence[int]) -> list[Reappearance]:
    """Find and record, in the caller's transaction, the re-appearances these reports' items are
    of reports removed before they were received."""
    new_hashes = _hashes(conn, report_ids, (*EXACT_SIGNALS, "pdq"))
    if not new_hashes:
        return []
    pairs = _candidates(conn, new_hashes)
    if not pairs:
        return []
    involved = sorted({report for earlier, new, _ in pairs for report in (earlier, new)})
    reports = {row.id: row for row in conn.execute(select(reports_t.c.id, reports_t.c.url, reports_t.c.received_at).where(reports_t.c.id.in_(involved)))}
    removed = _removed_reports()
    removed_at = dict(conn.execute(select(removed.c.report_id, removed.c.removed_at).where(removed.c.report_id.in_(involved))).all())
    recorded: set[tuple[int, int]] = {(earlier, new) for earlier, new in conn.execute(
        select(actions_t.c.report_id, actions_t.c.related_report_id).where(actions_t.c.action == REAPPEARED, actions_t.c.report_id.in_(involved)))}
    found, rows, now = [], [], datetime.now(UTC)
    for earlier, new, signal in sorted(pairs):
        received = reports[new].received_at
        if (earlier, new) in recorded or aware_utc(removed_at[earlier]) > aware_utc(received):
            continue
        recorded.add((earlier, new))
        found.append(Reappearance(earlier, new, signal))
        rows.append({"report_id": earlier, "action": REAPPEARED, "at": received, "actor": MATCHER, "recipient": None,
                     "note": f"found by {signal} in report {new}", "url": None if reports[new].url == reports[earlier].url else reports[new].url,
                     "related_report_id": new, "recorded_at": now})
    if rows:
        conn.execute(insert(actions_t), rows)
    return found
