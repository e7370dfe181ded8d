"""The takedown tables: time from the first notice to removal by hosting country, site type, web
layer and host; re-appearances; and reports still live past a threshold, each with last year beside it.

The aggregation is the database's (`store.lifecycle`); this module only turns its per-year counts
into the published rows: hours, shares of all noticed reports, and last year's figures.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from clearsight.store.lifecycle import DIMENSIONS, WITHIN_DAYS, reappearance_rows, removal_rows, still_live_rows

STILL_LIVE_DAYS = 7
"""A noticed URL still live this long after its first notice is listed as ignored by its host."""
HOUR_SECONDS = 3600
REMOVAL_RULE = ("Time to removal runs from a report's first notice to the first removal observed after it, counted in the year the"
                " first notice was sent. Medians and 90th percentiles are by the nearest-rank method over removed reports; the shares"
                " removed within 1, 3 and 7 days are of all noticed reports, and a report never removed counts as still live, not as zero.")
STILL_LIVE_RULE = (f"Still live: noticed reports with no removal observed {STILL_LIVE_DAYS} days or more after their first notice, as of the"
                   " end of the year (or now, for the current year). Re-appearances are counted in the year they were observed: at the"
                   " same URL after its removal, or the same item found by its hash at a new URL.")
TITLES = {"hosting_country": "hosting country", "site_type": "site type", "web_layer": "web layer", "host": "host"}
TIMED_KEYS = ("notices", "removed", "median_hours", "p90_hours", *(f"removed_within_{days}d_pct" for days in WITHIN_DAYS), "still_live")


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / HOUR_SECONDS


def _figures(counts: dict[str, Any] | None) -> dict[str, Any]:
    """One year's row of a time-to-removal table (zeros and no times for a value not noticed that year)."""
    if counts is None:
        return {"notices": 0, "removed": 0, "median_hours": None, "p90_hours": None,
                **{f"removed_within_{days}d_pct": None for days in WITHIN_DAYS}, "still_live": 0}
    notices = counts["notices"]
    return {"notices": notices, "removed": counts["removed"], "median_hours": _hours(counts["median_seconds"]),
            "p90_hours": _hours(counts["p90_seconds"]),
            **{f"removed_within_{days}d_pct": counts[f"within_{days}d"] / notices * 100 for days in WITHIN_DAYS},
            "still_live": counts["still_live"]}


def time_to_removal_table(dimension: str, year: int, timed: list[dict[str, Any]]) -> dict[str, Any]:
    """`time_to_removal_by_<dimension>` from the `timed` rows of every dimension: one row per value
    noticed this year or last, most noticed first."""
    counts = {(row["value"], int(row["year"])): row for row in timed if row["dimension"] == dimension}
    values = sorted({value for value, _ in counts}, key=lambda value: (-(counts.get((value, year)) or {"notices": 0})["notices"], str(value)))
    rows = []
    for value in values:
        now, before = _figures(counts.get((value, year))), _figures(counts.get((value, year - 1)))
        rows.append({"value": value, **now, **{f"last_year_{key}": before[key] for key in TIMED_KEYS}})
    return {"name": f"time_to_removal_by_{dimension}", "title": f"Time from first notice to removal by {TITLES[dimension]}",
            "unit": "reports", "kind": "time_to_removal", "total": sum(row["notices"] for row in rows),
            "last_year_total": sum(row["last_year_notices"] for row in rows), "rows": rows}


def _count_table(name: str, title: str, counts: dict[tuple[str, int], int], year: int) -> dict[str, Any]:
    """A count table in the shape of the other published tables (count, share, last year, change)."""
    total, last_total = sum(n for (_, each), n in counts.items() if each == year), sum(n for (_, each), n in counts.items() if each == year - 1)
    values = sorted({value for value, _ in counts}, key=lambda value: (-counts.get((value, year), 0), value))
    rows = []
    for value in values:
        now, before = counts.get((value, year), 0), counts.get((value, year - 1), 0)
        pct = now / total * 100 if total else 0.0
        last_pct = before / last_total * 100 if last_total else None
        rows.append({"value": value, "count": now, "pct": pct, "last_year_count": before, "last_year_pct": last_pct,
                     "yoy_pct": (now - before) / before * 100 if before else None,
                     "pct_point_change": pct - last_pct if last_pct is not None else None})
    return {"name": name, "title": title, "unit": "reports", "total": total, "last_year_total": last_total, "rows": rows}


def _cutoff(year: int, now: datetime) -> datetime:
    """The end of `year`, or now while it is still running."""
    return min(datetime(year + 1, 1, 1, tzinfo=UTC), now)


def removal_tables(engine: Engine, year: int, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every takedown table of `year`."""
    now = now or datetime.now(UTC)
    threshold = timedelta(days=STILL_LIVE_DAYS)
    still_live = still_live_rows(engine, {each: _cutoff(each, now) for each in (year, year - 1)}, threshold)
    timed = removal_rows(engine, list(DIMENSIONS), (year, year - 1))
    return [*(time_to_removal_table(dimension, year, timed) for dimension in DIMENSIONS),
            _count_table("reappearances_by_kind", "Re-appearances after removal: same URL or a new one", reappearance_rows(engine, (year, year - 1)), year),
            _count_table(f"still_live_past_{STILL_LIVE_DAYS}d_by_hosting_country", f"Reports still live {STILL_LIVE_DAYS} days after notice by hosting country",
                         still_live, year)]
