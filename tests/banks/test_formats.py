"""Hash-list formats: what partners send is read (quirks included), bad rows are reported one by
one, and every format gives back on export what it was given on import."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearsight.banks.formats import FORMATS, FormatError, decode, detect, text_stream
from clearsight.banks.formats.base import ExportContext, ReadOptions
from clearsight.store.records import BankRecord, RowError

MD5 = "0cc175b9c0f1b6a831c399e269772661"
SHA1 = "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"
SHA256 = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def read(fmt: str, text: str, signal: str | None = None) -> tuple[list[BankRecord], list[RowError]]:
    items = list(FORMATS[fmt].read(text_stream(text), ReadOptions(signal)))
    return [item for item in items if isinstance(item, BankRecord)], [item for item in items if isinstance(item, RowError)]


def export(fmt: str, records: list[BankRecord]) -> str:
    stream = io.StringIO()
    FORMATS[fmt].write(records, stream, ExportContext("partner", "a hotline", "2026-11"))
    return stream.getvalue()


def labelled(records: list[BankRecord]) -> list[tuple[dict[str, str], str | None, str | None, int | None]]:
    return [(record.hashes, record.classification, record.ref, record.quality) for record in records]


SAMPLES = {
    "csv": f"md5,sha1,pdq,pdq_quality,classification,ref\n{MD5},{SHA1},{PDQ},87,A,case-1\n,,{PDQ[::-1]},,B,case-2\n",
    "lines": f"{MD5}\n{SHA1}\npdq:{PDQ}\n",
    "hma": f"signal_type,signal_value,content_id,classification\npdq,{PDQ},17,A1\nvideo_md5,{MD5},18,B1\n",
    "vics": json.dumps({
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
        "value": [
            {"MediaID": 1, "Category": 1, "MD5": MD5.upper(), "SHA1": SHA1.upper(), "IsPrecategorized": "false",
             "AlternativeHashes": [{"HashName": "PDQ", "HashValue": PDQ, "Quality": 91}], "Series": "s-1", "Tags": ["t"]},
            {"MediaID": 2, "Category": "3", "MD5": MD5[::-1], "IsDistributed": "true"},
        ],
    }),
    "ncmec": (
        '<?xml version="1.0"?><queryResult xmlns="https://hashsharing.ncmec.org/npo/v2"><images>'
        f'<image><id>9001</id><classification>a1</classification><fingerprints><md5>{MD5}</md5><pdq quality="77">{PDQ}</pdq></fingerprints></image>'
        f'</images><videos><video><id>9002</id><classification>B2</classification><fingerprints><sha1>{SHA1}</sha1></fingerprints></video></videos></queryResult>'
    ),
}


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_every_format_round_trips_hashes_and_labels(fmt: str) -> None:
    imported, errors = read(fmt, SAMPLES[fmt])
    assert imported and not errors
    again, errors = read(fmt, export(fmt, imported))
    assert not errors
    assert labelled(again) == labelled(imported)
    assert [record.attributes for record in again] == [record.attributes for record in imported]


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_the_format_is_told_from_the_content(fmt: str) -> None:
    assert detect(SAMPLES[fmt]).name == fmt


def test_vics_reads_cases_of_version_1_with_a_bom_and_string_values() -> None:
    document = {"odata.metadata": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/1.3.xml/CUSTOM/$metadata#Cases",
                "value": [{"CaseNumber": "c", "Media": [{"MediaID": "5", "Category": "2", "MD5": MD5.upper(), "IsPrecategorized": "true"}]}]}
    text = decode(b"\xef\xbb\xbf" + json.dumps(document).encode())
    assert detect(text).name == "vics"
    (record,), errors = read("vics", text)
    assert not errors
    assert (record.hashes, record.classification, record.ref) == ({"md5": MD5}, "vics:2", "5")


def test_vics_keeps_pdq_from_alternative_hashes_and_its_quality() -> None:
    (record, _), _ = read("vics", SAMPLES["vics"])
    assert record.hashes == {"md5": MD5, "sha1": SHA1, "pdq": PDQ}
    assert record.quality == 91
    assert record.attributes["vics"]["Series"] == "s-1"


def test_csv_tolerates_semicolons_header_case_and_upper_case_hashes() -> None:
    (record,), errors = read("csv", f"\ufeff MD5 ; Classification ;Ref\n0x{MD5.upper()};A;r\n")
    assert not errors
    assert (record.hashes, record.classification, record.ref) == ({"md5": MD5}, "A", "r")


def test_a_csv_without_hash_columns_is_refused_as_a_whole() -> None:
    with pytest.raises(FormatError, match="no hash column"):
        read("csv", "name,size\nx,1\n")


def test_each_bad_row_gets_its_own_error_with_its_line_number() -> None:
    text = f"md5,pdq\n{MD5},\nnot-a-hash,\n,{PDQ[:60]}\n,\n{MD5[::-1]},{PDQ}\n"
    records, errors = read("csv", text)
    assert len(records) == 2
    assert [(error.row, error.message.split(" ")[0]) for error in errors] == [(3, "md5"), (4, "pdq")]


@pytest.mark.parametrize("fmt", ["csv", "hma"])
def test_a_row_the_csv_module_refuses_is_one_row_error(fmt: str) -> None:
    huge = '"' + "x" * 200_000 + '"'
    text = f"md5,ref\n{MD5},{huge}\n{MD5[::-1]},ok\n" if fmt == "csv" else f"md5,{MD5},{huge}\nmd5,{MD5[::-1]},ok\n"
    records, errors = read(fmt, text)
    assert [record.hashes["md5"] for record in records] == [MD5[::-1]]
    assert len(errors) == 1 and "unreadable CSV row" in errors[0].message and errors[0].row == (2 if fmt == "csv" else 1)


def test_bare_64_hex_lines_need_the_type() -> None:
    _, errors = read("lines", SHA256 + "\n")
    assert "give --type" in errors[0].message
    (record,), errors = read("lines", SHA256 + "\n", signal="sha256")
    assert record.hashes == {"sha256": SHA256} and not errors


def test_ncmec_classification_is_upper_cased_and_videos_stay_videos() -> None:
    records, _ = read("ncmec", SAMPLES["ncmec"])
    assert [(record.classification, record.attributes["ncmec"]["kind"]) for record in records] == [("A1", "image"), ("B2", "video")]
    assert records[0].quality == 77


def test_an_xml_bomb_is_refused_without_expanding_it() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><images><image><md5>&b;</md5></image></images>'
    with pytest.raises(FormatError, match="not readable XML"):
        read("ncmec", bomb)


@pytest.mark.parametrize("category", ["inf", "nan", "1.5", "one", "1e400"])
def test_a_vics_category_that_is_not_a_whole_number_rejects_only_its_record(category: str) -> None:
    document = {"value": [{"MD5": MD5, "Category": category}, {"MD5": MD5[::-1], "Category": 2}]}
    records, errors = read("vics", json.dumps(document))
    assert [record.classification for record in records] == ["vics:2"]
    assert errors[0].row == 1


def test_hma_maps_its_signal_names_and_rejects_unknown_ones() -> None:
    records, errors = read("hma", f"video_md5,{MD5}\nvpdq,{PDQ}\n")
    assert records[0].hashes == {"md5": MD5}
    assert "unsupported signal type 'vpdq'" in errors[0].message


@settings(max_examples=150, deadline=None)
@given(fmt=st.sampled_from(sorted(FORMATS)), text=st.one_of(
    st.text(max_size=400),
    st.builds(lambda sample, cut, junk: sample[:cut] + junk, st.sampled_from(list(SAMPLES.values())), st.integers(0, 900), st.text(max_size=40)),
))
def test_any_input_gives_records_row_errors_or_one_format_error_never_a_crash(fmt: str, text: str) -> None:
    try:
        items = list(FORMATS[fmt].read(text_stream(text), ReadOptions()))
    except FormatError:
        return
    assert all(isinstance(item, (BankRecord, RowError)) for item in items)


def test_a_csv_first_seen_column_gives_each_entry_the_date_its_list_first_saw_it() -> None:
    records, errors = read("csv", f"md5,first_seen\n{MD5},2015-03-01\n{SHA1[:32]},2025-06-30T12:00:00Z\n{MD5[::-1]},\n{PDQ[:32]},01/03/2015\n")
    assert [record.first_seen for record in records] == [date(2015, 3, 1), date(2025, 6, 30), None]
    assert [error.row for error in errors] == [5] and "ISO 8601" in errors[0].message


def test_first_seen_survives_a_csv_export_and_import() -> None:
    [record], _ = read("csv", f"md5,first_seen\n{MD5},2015-03-01\n")
    [again], _ = read("csv", export("csv", [record]))
    assert again.first_seen == date(2015, 3, 1)


def test_vics_and_ncmec_dates_give_the_earliest_date_the_list_knew_the_item() -> None:
    vics = json.dumps({"odata.metadata": "x", "value": [{"MD5": MD5, "DateUpdated": "2016-02-03T04:05:06Z", "DateFirstSeen": "2014-01-02"},
                                                        {"MD5": SHA1[:32], "DateUpdated": "not a date"}]})
    records, _ = read("vics", vics)
    assert [record.first_seen for record in records] == [date(2014, 1, 2), None]
    ncmec = f"<images><image><id>1</id><lastModified>2013-05-06T00:00:00Z</lastModified><fingerprints><md5>{MD5}</md5></fingerprints></image></images>"
    [record], _ = read("ncmec", ncmec)
    assert record.first_seen == date(2013, 5, 6)
