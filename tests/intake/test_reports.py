"""URL reports: one record per URL with checked fields, read from CSV or JSON Lines where every bad
row is refused with its number and reason and the good rows still come in."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from clearsight.assess.accounts import Accounts
from clearsight.config import Settings
from clearsight.intake.reports import read_reports
from clearsight.store.db import open_engine
from clearsight.store.records import ReportRecord, RowError
from clearsight.web.app import create_app
from tests.cli_runner import clearsight
from tests.web_client import PASSWORD, log_in

CSV = """url,source,site_type,web_layer,hosting_country,commercial,received_at,outcome,actions,notes
https://Gallery.Example/a/1,public,ai_gallery,clear,nl,indirect,2026-03-01T09:30:00Z,actioned,notice@2026-03-01T10:00:00Z;inhope_forward@2026-03-01T11:00:00Z,first
ftp://files.example/x,public,forum,clear,,none,,,,
https://chat.example/c/9,proactive,ai_chatbot,dark,USA,none,,,,
https://board.example/t/2,member,forum,clear,,none,yesterday,,,
https://board.example/t/3,member,forum,clear,,none,,,takedown@2026-03-01T10:00:00Z,
https://host.example/i/4,police,image_host,clear,US,direct,2026-03-02T08:00:00,,,
"""


def test_csv_rows_become_reports_and_bad_rows_say_why() -> None:
    rows = list(read_reports(CSV.encode()))
    records = [row for row in rows if isinstance(row, ReportRecord)]
    errors = {row.row: row.message for row in rows if isinstance(row, RowError)}
    assert [record.url for record in records] == ["https://Gallery.Example/a/1", "https://host.example/i/4"]
    first = records[0]
    assert (first.domain, first.site_type, first.hosting_country, first.commercial, first.outcome) == ("gallery.example", "ai_gallery", "NL", "indirect", "actioned")
    assert first.actions == [("notice", datetime(2026, 3, 1, 10, tzinfo=UTC)), ("inhope_forward", datetime(2026, 3, 1, 11, tzinfo=UTC))]
    assert records[1].received_at == datetime(2026, 3, 2, 8, tzinfo=UTC)
    assert errors == {
        3: "url must be an http or https address with a host",
        4: "hosting country must be a two-letter ISO 3166 code",
        5: "received at must be an ISO 8601 time, not 'yesterday'",
        6: "action must be one of notice, inhope_forward, le_referral, url_list_add, ncmec_report, acknowledged, removed, still_live, reappeared, escalated, not 'takedown'",
    }


def test_json_lines_reports_and_their_row_errors() -> None:
    lines = [json.dumps({"url": "https://a.example/", "source": "platform", "site_type": "ai_generator_service",
                         "actions": [{"action": "url_list_add", "at": "2026-05-01T00:00:00Z"}]}),
             "not json", "[1, 2]", json.dumps({"url": "https://b.example/"}), ""]
    rows = list(read_reports("\n".join(lines).encode()))
    assert isinstance(rows[0], ReportRecord) and rows[0].actions[0][0] == "url_list_add"
    assert [(row.row, row.message.split(":")[0]) for row in rows[1:] if isinstance(row, RowError)] == [
        (2, "not JSON"), (3, "each line must be a JSON object"), (4, "source is required (one of public, proactive, police, member, inhope_hotline, child_service, platform)")]


def test_records_import_on_the_command_line_keeps_the_good_rows(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    (tmp_path / "reports.csv").write_text(CSV)
    done = clearsight("records", "import", str(tmp_path / "reports.csv"), "--db", db, "--format", "json")
    result = json.loads(done.stdout)
    assert result["reports"] == [1, 2] and [error["row"] for error in result["errors"]] == [3, 4, 5, 6]
    failed = clearsight("records", "import", str(tmp_path / "reports.csv"), "--db", db, "--input", "jsonl", check=False)
    assert failed.returncode == 0 and "row 2: not JSON" in failed.stderr


def test_reports_are_imported_and_entered_in_the_web_app(db: str) -> None:
    Accounts(open_engine(db), actor="test").add("ann", "analyst", PASSWORD)
    client = TestClient(create_app(Settings(db=db)), follow_redirects=False)
    csrf = log_in(client, "ann")
    page = client.post("/reports/import", data={"csrf_token": csrf, "format": "auto"}, files={"file": ("reports.csv", CSV.encode())}).text
    assert "Imported 2 report(s); 4 row(s) refused." in page and "not &#39;takedown&#39;" in page
    assert "https://host.example/i/4" in client.get("/reports", params={"site_type": "image_host"}).text
    assert "https://host.example/i/4" not in client.get("/reports", params={"site_type": "forum"}).text
    refused = client.post("/reports", data={"csrf_token": csrf, "url": "https://x.example/", "source": "public", "scan_run": "7"})
    assert refused.status_code == 400 and "scan run 7 has no images or videos" in refused.text
    created = client.post("/reports", data={"csrf_token": csrf, "url": "https://x.example/p", "source": "public", "site_type": "blog"})
    report = created.headers["location"]
    client.post(f"{report}/actions", data={"csrf_token": csrf, "action": "le_referral", "at": "2026-06-01T12:00:00Z"})
    shown = client.get(report).text
    assert "le_referral" in shown and "2026-06-01 12:00:00" in shown and "x.example" in shown
