"""The takedown lifecycle: bulk updates (`clearsight reports update`) and the time-to-removal
figures, computed in SQL from notice and removal times chosen so that every figure is known."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clearsight.assess.audit import AuditLog
from clearsight.store.db import open_engine
from clearsight.store.lifecycle import removal_rows
from clearsight.store.records import ReportRecord
from clearsight.store.reports import ReportStore
from tests.cli_runner import clearsight

NOTICE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REMOVAL_HOURS = {"r1": 2, "r2": 20, "r3": 30, "r4": 70, "r5": 200}
"""Five reports removed after their notice; r6 and r7 were noticed and never removed."""


def _reports(db: str, refs: list[str], site_type: str = "image_host") -> None:
    ReportStore(open_engine(db)).add([ReportRecord(url=f"https://host.example/{ref}", source="public", site_type=site_type,
                                                   received_at=NOTICE - timedelta(days=1), external_id=ref) for ref in refs], "test")


def _events(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _lifecycle_rows() -> list[dict[str, str]]:
    rows = [{"report_id": ref, "event": "notice_sent", "at": NOTICE.isoformat(), "to": "host"} for ref in [*REMOVAL_HOURS, "r6", "r7"]]
    rows += [{"report_id": ref, "event": "removed", "at": (NOTICE + timedelta(hours=hours)).isoformat()} for ref, hours in REMOVAL_HOURS.items()]
    rows.append({"report_id": "r6", "event": "still_live", "at": (NOTICE + timedelta(days=9)).isoformat()})
    return rows


def test_time_to_removal_reproduces_medians_percentiles_and_shares_with_open_reports_counted_as_open(db: str, tmp_path: Path) -> None:
    _reports(db, [*REMOVAL_HOURS, "r6", "r7"])
    clearsight("reports", "update", str(_events(tmp_path / "events.jsonl", _lifecycle_rows())), "--db", db)
    [row] = removal_rows(open_engine(db), ["site_type"], [2025, 2026])
    assert row["value"] == "image_host" and int(row["year"]) == 2026
    assert (row["notices"], row["removed"], int(row["still_live"])) == (7, 5, 2)
    # Nearest rank over the five removed: the median is the 3rd (30 h), the 90th percentile the 5th (200 h).
    assert (float(row["median_seconds"]) / 3600, float(row["p90_seconds"]) / 3600) == (30.0, 200.0)
    # Within 1 day: 2 h and 20 h; within 3 days: also 30 h and 70 h; within 7 days: the same four (200 h is 8.3 days).
    assert (int(row["within_1d"]), int(row["within_3d"]), int(row["within_7d"])) == (2, 4, 4)


def test_a_removal_before_the_first_notice_is_not_a_time_to_removal(db: str, tmp_path: Path) -> None:
    _reports(db, ["early"])
    clearsight("reports", "update", str(_events(tmp_path / "events.jsonl", [
        {"report_id": "early", "event": "removed", "at": (NOTICE - timedelta(hours=1)).isoformat()},
        {"report_id": "early", "event": "notice_sent", "at": NOTICE.isoformat()}])), "--db", db)
    [row] = removal_rows(open_engine(db), ["site_type"], [2026])
    assert (row["notices"], row["removed"], int(row["still_live"]), row["median_seconds"]) == (1, 0, 1, None)


def test_every_bad_row_of_a_bulk_update_is_refused_with_its_number_and_reason_and_the_rest_applied(db: str, tmp_path: Path) -> None:
    _reports(db, ["r1"])
    update = tmp_path / "update.csv"
    update.write_text("report_id,event,at,to,note\n"
                      "r1,notice_sent,2026-03-02T09:00:00Z,host,first notice\n"
                      "r1,vanished,2026-03-02T10:00:00Z,,\n"
                      "nobody,removed,2026-03-02T10:00:00Z,,\n"
                      "r1,removed,yesterday,,\n"
                      "r1,notice_sent,2026-03-02T09:30:00Z,landlord,\n"
                      "r1,removed,2999-01-01T00:00:00Z,,\n"
                      "r1,removed,2026-03-03T09:00:00+02:00,,\n")
    result = json.loads(clearsight("reports", "update", str(update), "--db", db, "--format", "json").stdout)
    assert result["added"] == 2 and result["already_recorded"] == 0
    assert [(error["row"], error["message"].split(" ")[0]) for error in result["errors"]] == [
        (3, "event"), (4, "no"), (5, "at"), (6, "to"), (7, "at")]
    again = json.loads(clearsight("reports", "update", str(update), "--db", db, "--format", "json").stdout)
    assert (again["added"], again["already_recorded"]) == (0, 2), "a re-run (a resumed update) adds nothing twice"
    report = ReportStore(open_engine(db)).get(1)
    assert [(action["action"], action["recipient"]) for action in report["actions"]] == [("notice", "host"), ("removed", None)]
    removed_at = report["actions"][1]["at"]
    assert (removed_at if removed_at.tzinfo else removed_at.replace(tzinfo=UTC)) == datetime(2026, 3, 3, 7, 0, tzinfo=UTC), "times are kept in UTC"
    assert AuditLog(open_engine(db)).verify().ok


def test_an_update_file_must_name_its_columns(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    update = tmp_path / "update.csv"
    update.write_text("report,when\nr1,2026-03-02\n")
    completed = clearsight("reports", "update", str(update), "--db", db, check=False)
    assert completed.returncode != 0 and "report_id, event, at" in completed.stderr


def test_the_published_tables_give_hours_and_shares_of_all_noticed_with_last_year_beside_them(db: str, tmp_path: Path) -> None:
    _reports(db, [*REMOVAL_HOURS, "r6", "r7", "old"])
    last_year = NOTICE - timedelta(days=365)
    rows = [*_lifecycle_rows(), {"report_id": "old", "event": "notice_sent", "at": last_year.isoformat()},
            {"report_id": "old", "event": "removed", "at": (last_year + timedelta(hours=10)).isoformat()}]
    clearsight("reports", "update", str(_events(tmp_path / "events.jsonl", rows)), "--db", db)
    tables = {table["name"]: table for table in json.loads(clearsight("stats", "--year", "2026", "--db", db).stdout)["tables"]}
    [row] = tables["time_to_removal_by_site_type"]["rows"]
    assert row == {"value": "image_host", "notices": 7, "removed": 5, "median_hours": 30.0, "p90_hours": 200.0,
                   "removed_within_1d_pct": 2 / 7 * 100, "removed_within_3d_pct": 4 / 7 * 100, "removed_within_7d_pct": 4 / 7 * 100,
                   "still_live": 2, "last_year_notices": 1, "last_year_removed": 1, "last_year_median_hours": 10.0, "last_year_p90_hours": 10.0,
                   "last_year_removed_within_1d_pct": 100.0, "last_year_removed_within_3d_pct": 100.0, "last_year_removed_within_7d_pct": 100.0,
                   "last_year_still_live": 0}
    assert {"time_to_removal_by_hosting_country", "time_to_removal_by_web_layer", "time_to_removal_by_host"} <= set(tables)
    [live] = tables["still_live_past_7d_by_hosting_country"]["rows"]
    assert (live["value"], live["count"], live["last_year_count"]) == ("unknown", 2, 0)
    header, *lines = clearsight("stats", "--year", "2026", "--db", db, "--format", "csv").stdout.splitlines()
    assert header.startswith("table,value,count,pct,last_year_count,last_year_pct,yoy_pct,pct_point_change,notices,removed,median_hours")
    assert any(line.startswith("time_to_removal_by_site_type,image_host,,,,,,,7,5,30.0,200.0,") for line in lines)
    page = clearsight("stats", "--year", "2026", "--db", db, "--format", "html").stdout
    assert "Time from first notice to removal by site type" in page and "30.0 h" in page and "8.3 days" in page
