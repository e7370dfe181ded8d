"""Re-appearances found by matching: a removed report's item seen again in a newer report is
recorded on the earlier report, with the new URL, whether the bytes are the same or re-encoded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clearsight.store.db import open_engine
from clearsight.store.reports import ReportStore
from tests.cli_runner import clearsight
from tests.stats.test_statistics import item, report

PDQ = "f" * 16 + "0" * 16 + "a5" * 16
SHA256 = "ab" * 32


def _pdq_with_bits_flipped(value: str, bits: int) -> str:
    return f"{int(value, 16) ^ ((1 << bits) - 1):064x}"


def _hashed(pdq: str, sha256: str) -> dict[str, Any]:
    return item("image", 2026) | {"pdq": pdq, "sha256": sha256}


def _import(db: str, path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    clearsight("records", "import", str(path), "--db", db)


def _reappearances(db: str, report_id: int) -> list[tuple[str | None, int | None, str]]:
    return [(action["url"], action["related_report_id"], action["note"]) for action in ReportStore(open_engine(db)).get(report_id)["actions"]
            if action["action"] == "reappeared"]


def test_a_re_encoded_re_upload_at_a_new_url_is_a_re_appearance_of_the_removed_report(db: str, tmp_path: Path) -> None:
    gone = report(2026, [_hashed(PDQ, SHA256)], report_id="gone", url="https://first.example/a", received_at="2026-02-01T09:00:00Z",
                  actions="notice@2026-02-01T10:00:00Z;removed@2026-02-02T10:00:00Z")
    _import(db, tmp_path / "first.jsonl", [gone])
    again = report(2026, [_hashed(_pdq_with_bits_flipped(PDQ, 12), "cd" * 32)], report_id="again", url="https://second.example/b",
                   received_at="2026-03-01T09:00:00Z")
    before = report(2026, [_hashed(PDQ, "ef" * 32)], report_id="before", url="https://third.example/c", received_at="2026-02-01T12:00:00Z")
    unrelated = report(2026, [_hashed(_pdq_with_bits_flipped(PDQ, 64), "01" * 32)], report_id="unrelated", url="https://fourth.example/d",
                       received_at="2026-03-01T09:00:00Z")
    _import(db, tmp_path / "later.jsonl", [again, before, unrelated])
    assert _reappearances(db, 1) == [("https://second.example/b", 2, "found by pdq in report 2")], \
        "12 bits apart is the same picture; a report received before the removal and one 64 bits apart are not re-appearances"


def test_the_same_file_back_at_the_same_url_is_a_same_url_re_appearance_recorded_once(db: str, tmp_path: Path) -> None:
    gone = report(2026, [_hashed(PDQ, SHA256)], report_id="gone", url="https://first.example/a", received_at="2026-02-01T09:00:00Z",
                  actions="notice@2026-02-01T10:00:00Z;removed@2026-02-02T10:00:00Z")
    back = report(2026, [_hashed(PDQ, SHA256)], report_id="back", url="https://first.example/a", received_at="2026-04-01T09:00:00Z")
    _import(db, tmp_path / "records.jsonl", [gone])
    _import(db, tmp_path / "back.jsonl", [back])
    store = ReportStore(open_engine(db))
    store.attach(2, store.get(1)["items"])
    assert _reappearances(db, 1) == [(None, 2, "found by pdq in report 2")]
    tables = {table["name"]: table for table in json.loads(clearsight("stats", "--year", "2026", "--db", db).stdout)["tables"]}
    assert [(row["value"], row["count"]) for row in tables["reappearances_by_kind"]["rows"]] == [("same_url", 1)]
