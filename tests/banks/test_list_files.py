"""Hash-list files are read as streams: decoded as a whole file would be (UTF-8, UTF-16 with BOM,
Latin-1 when any byte is not UTF-8, classic Mac line ends), without holding the file in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearsight.banks.formats import FORMATS, decode, open_list, text_stream
from clearsight.banks.formats.base import SNIFF_CHUNK, ReadOptions, list_encoding
from clearsight.store.records import BankRecord

MD5S = [f"{number:032x}" for number in range(3)]


def _rows(text: str) -> list[BankRecord]:
    return [row for row in FORMATS["csv"].read(text_stream(text), ReadOptions()) if isinstance(row, BankRecord)]


def _file_rows(path: Path) -> list[BankRecord]:
    with open_list(path) as stream:
        return [row for row in FORMATS["csv"].read(stream, ReadOptions()) if isinstance(row, BankRecord)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_a_list_file_is_read_as_its_decoded_text_would_be(tmp_path: Path, encoding: str) -> None:
    text = "md5,ref\n" + "".join(f"{md5},réf {number}\r\n" for number, md5 in enumerate(MD5S))
    path = tmp_path / "list.csv"
    path.write_bytes(text.encode(encoding))
    assert _file_rows(path) == _rows(decode(path.read_bytes()))
    assert [row.ref for row in _file_rows(path)] == ["réf 0", "réf 1", "réf 2"]


def test_one_byte_that_is_not_utf8_past_the_first_chunk_makes_the_whole_file_latin1(tmp_path: Path) -> None:
    padding = "".join(f"{MD5S[0]},r\n" for _ in range(SNIFF_CHUNK // 35 + 1))
    data = f"md5,ref\n{MD5S[2]},caf\u00e9\n{padding}".encode() + MD5S[1].encode() + b",caf\xe9\n"
    path = tmp_path / "list.csv"
    path.write_bytes(data)
    assert list_encoding(path) == ("latin-1", "\n")
    rows = _file_rows(path)
    assert rows == _rows(decode(data))
    assert (rows[0].ref, rows[-1].ref) == ("caf\u00c3\u00a9", "caf\u00e9")


def test_classic_mac_line_ends_split_rows_and_a_stray_carriage_return_does_not(tmp_path: Path) -> None:
    mac = tmp_path / "mac.csv"
    mac.write_bytes(("md5,ref\r" + "".join(f"{md5},r{number}\r" for number, md5 in enumerate(MD5S))).encode())
    assert list_encoding(mac) == ("utf-8-sig", "\r")
    assert [row.ref for row in _file_rows(mac)] == ["r0", "r1", "r2"]
    stray = tmp_path / "stray.csv"
    stray.write_bytes(f"md5,ref\n{MD5S[0]},a\rb\n{MD5S[1]},c\n".encode())
    rows = list(FORMATS["csv"].read(open_list(stray), ReadOptions()))
    assert [type(row).__name__ for row in rows] == ["RowError", "BankRecord"]
