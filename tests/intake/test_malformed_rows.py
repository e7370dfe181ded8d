"""One malformed row is that row's error, in every import: the rows around it are still read,
whatever the row holds (a stray carriage return, a cut-short UTF-16 file, a 5,000-digit number,
an unclosed IPv6 address)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clearsight.banks.formats import FORMATS, decode, open_list, text_stream
from clearsight.banks.formats.base import ReadOptions
from clearsight.errors import ClearsightError
from clearsight.intake.reports import read_reports
from clearsight.store.records import BankRecord, ReportRecord, RowError

HEADER = "report_id,received_at,source,url,site_type,hosting_country\n"
GOOD_ROW = "R{n},2025-02-01T00:00:00Z,public,https://host{n}.example/,forum,DE\n"


def _good(n: int) -> str:
    return GOOD_ROW.format(n=n)


def _kinds(rows: list[object]) -> list[str]:
    return ["ok" if isinstance(row, ReportRecord | BankRecord) else "error" for row in rows]


def test_report_rows_around_a_malformed_one_are_still_read() -> None:
    stray_cr = HEADER + _good(1) + "R2,2025-02-01T00:00:00Z,public,https://a.example/\r,forum,DE\n" + _good(3)
    unclosed_ipv6 = HEADER + _good(1) + "R2,2025-02-01T00:00:00Z,public,http://[::1,forum,DE\n" + _good(3)
    for text in (stray_cr, unclosed_ipv6):
        rows = list(read_reports(text.encode()))
        assert _kinds(rows) == ["ok", "error", "ok"], rows
        assert isinstance(rows[1], RowError) and rows[1].row == 3


def test_a_5000_digit_number_in_a_json_line_is_that_fields_error() -> None:
    good = {"report_id": "r1", "received_at": "2025-05-01T09:00:00Z", "source": "public", "url": "https://x.example/"}
    text = "\n".join([json.dumps(good), json.dumps(good | {"report_id": "r2"})[:-1] + ', "received_at": ' + "9" * 5000 + "}",
                      json.dumps(good | {"report_id": "r3"})])
    rows = list(read_reports(text.encode()))
    assert _kinds(rows) == ["ok", "error", "ok"]
    assert isinstance(rows[1], RowError) and "received at must be an ISO 8601 time" in rows[1].message


def test_a_cut_short_utf16_file_keeps_its_whole_rows(tmp_path: Path) -> None:
    data = ("\ufeff" + HEADER + _good(1) + _good(2)).encode("utf-16-le")[:-1]
    rows = list(read_reports(data))
    assert _kinds(rows) == ["ok", "error"]
    bank = ("\ufeffmd5,classification\n" + "0" * 32 + ",A\n" + "3" * 32 + ",B\n").encode("utf-16-le")[:-1]
    read = list(FORMATS["csv"].read(text_stream(decode(bank)), ReadOptions()))
    assert [row.hashes for row in read if isinstance(row, BankRecord)] == [{"md5": "0" * 32}, {"md5": "3" * 32}]
    path = tmp_path / "bank.csv"
    path.write_bytes(bank)
    with open_list(path) as stream:
        assert list(FORMATS["csv"].read(stream, ReadOptions())) == read


def test_bank_rows_around_a_malformed_one_are_still_read(tmp_path: Path) -> None:
    stray_cr = "md5,classification\n" + "0" * 32 + ",A\n" + "1" * 32 + "\rx,B\n" + "2" * 32 + ",C\n"
    assert _kinds(list(FORMATS["csv"].read(text_stream(stray_cr), ReadOptions()))) == ["ok", "error", "ok"]
    vics = {"odata.metadata": "x", "value": [{"MediaID": 1, "MD5": "0" * 32, "Category": 1},
                                             {"MediaID": int("9" * 60), "MD5": "1" * 32, "Category": 1}]}
    text = json.dumps(vics).replace(str(int("9" * 60)), "9" * 5000)
    rows = list(FORMATS["vics"].read(text_stream(text), ReadOptions()))
    assert _kinds(rows)[0] == "ok" and len(rows) == 2


def test_a_stray_carriage_return_in_the_header_is_one_clear_error() -> None:
    """Found by the fuzz tests: the header row was read outside the per-row error handling."""
    with pytest.raises(ClearsightError, match="unreadable CSV header row"):
        list(read_reports(b"\r\x00\n"))
