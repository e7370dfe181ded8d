"""`clearsight bank`, `clearsight match` and matching inside `clearsight scan`, as scripts run them."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image

from tests.banks.test_formats import MD5, PDQ, SAMPLES
from tests.cli_runner import clearsight, records
from tests.media_factory import image_bytes


def pdq_of(path: Path, db: str) -> str:
    result = json.loads(clearsight("match", str(path), "--db", db, "--format", "json").stdout)
    return str(result["hashes"]["pdq"])


def transformed(path: Path, name: str, transpose: Image.Transpose) -> Path:
    target = path.with_name(name)
    Image.open(path).transpose(transpose).save(target)
    return target


def test_a_list_is_imported_listed_matched_and_exported(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    (tmp_path / "list.json").write_text(SAMPLES["vics"], encoding="utf-8")
    clearsight("bank", "create", "vic", "--db", db, "--source", "Project VIC", "--distance", "20")
    imported = clearsight("bank", "import", "vic", str(tmp_path / "list.json"), "--db", db)
    assert "as vics" in imported.stderr and "Imported 2 entries (4 hashes)" in imported.stderr
    (bank,) = json.loads(clearsight("bank", "list", "--db", db, "--format", "json").stdout)
    assert (bank["name"], bank["source"], bank["pdq_distance"], bank["hashes"]) == ("vic", "Project VIC", 20, {"md5": 2, "sha1": 1, "pdq": 1})
    found = json.loads(clearsight("match", MD5.upper(), "--db", db, "--format", "json").stdout)
    assert found["matches"] == [{"bank": "vic", "signal": "md5", "distance": 0, "classification": "vics:1", "ref": "1", "transform": None}]
    clearsight("bank", "export", "vic", str(tmp_path / "out.json"), "--db", db, "--format", "vics")
    media = json.loads((tmp_path / "out.json").read_text())["value"]
    assert [entry["MD5"].lower() for entry in media] == [MD5, MD5[::-1]]


def test_rejected_rows_are_listed_and_written_out_and_the_rest_imported(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    (tmp_path / "list.csv").write_text(f"md5,classification\n{MD5},A\nnope,B\n{MD5[::-1]},C\n", encoding="utf-8")
    clearsight("bank", "create", "k", "--db", db)
    done = clearsight("bank", "import", "k", str(tmp_path / "list.csv"), "--db", db, "--errors", str(tmp_path / "errors.tsv"))
    assert "Imported 2 entries" in done.stderr and "1 rows rejected" in done.stderr and "row 3:" in done.stderr
    assert (tmp_path / "errors.tsv").read_text().startswith("3\tmd5 must be 32 hex digits")


def test_scan_records_carry_the_matches_of_each_item(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "known.png").write_bytes(image_bytes("PNG", seed=3))
    (folder / "other.png").write_bytes(image_bytes("PNG", seed=4))
    clearsight("bank", "create", "known", "--db", db, "--classification", "B")
    clearsight("bank", "add", "known", pdq_of(folder / "known.png", db), "--type", "pdq", "--ref", "case-9", "--db", db)
    rows = {Path(row["path"]).name: row for row in records(clearsight("scan", str(folder), "--db", db, "--format", "jsonl").stdout)}
    assert rows["known.png"]["matches"] == [{"bank": "known", "signal": "pdq", "distance": 0, "classification": "B", "ref": "case-9", "transform": None}]
    assert rows["other.png"]["matches"] == []


def test_flipped_and_rotated_copies_match_only_with_dihedral_matching(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    original = tmp_path / "original.png"
    original.write_bytes(image_bytes("PNG", seed=5, size=(400, 300)))
    clearsight("bank", "create", "known", "--db", db)
    clearsight("bank", "add", "known", pdq_of(original, db), "--type", "pdq", "--db", db)
    # The transform reported is the one that turns the query back into the known item: a copy
    # turned 90 degrees clockwise (Pillow's ROTATE_270) needs a further 270 degrees.
    for copy, transform in ((transformed(original, "mirror.png", Image.Transpose.FLIP_LEFT_RIGHT), "flip_x"),
                            (transformed(original, "turned.png", Image.Transpose.ROTATE_270), "rotate270")):
        plain = json.loads(clearsight("match", str(copy), "--db", db, "--format", "json").stdout)
        assert plain["matches"] == []
        dihedral = json.loads(clearsight("match", str(copy), "--db", db, "--format", "json", "--dihedral").stdout)
        assert [(match["transform"], match["distance"] <= 31) for match in dihedral["matches"]] == [(transform, True)]


def test_a_low_quality_image_is_not_pdq_matched_and_the_record_says_why(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    flat = tmp_path / "flat.png"
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), (90, 120, 150)).save(buffer, "PNG")
    flat.write_bytes(buffer.getvalue())
    clearsight("bank", "create", "known", "--db", db)
    clearsight("bank", "add", "known", pdq_of(flat, db), "--type", "pdq", "--db", db)
    (row,) = records(clearsight("scan", str(flat), "--db", db, "--format", "jsonl").stdout)
    assert row["pdq_quality"] < 50 and row["matches"] == []
    assert "below 50" in row["match_notes"][0]
    (again,) = records(clearsight("scan", str(flat), "--db", str(tmp_path / "other.db"), "--format", "jsonl", "--min-quality", "0").stdout)
    assert again["matches"] == []  # other.db has no banks: the option alone matches nothing


def test_bank_commands_fail_with_one_line_reasons(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    for args, reason in (
        (("bank", "import", "missing", __file__), "no bank named 'missing'"),
        (("match", PDQ), "give --type"),
        (("bank", "delete", "missing"), "add --yes"),
    ):
        failed = clearsight(*args, "--db", db, check=False)
        assert failed.returncode == 1
        assert reason in failed.stderr and len(failed.stderr.strip().splitlines()) == 1
    clearsight("bank", "create", "dup", "--db", db)
    assert "already exists" in clearsight("bank", "create", "dup", "--db", db, check=False).stderr


def test_a_100000_row_list_with_10_bad_rows_imports_99990_and_reports_the_10(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    bad = set(range(7, 100_000, 10_000))
    lines = ["md5,classification,ref"] + [
        (f"{'not-hex':<32},A,r{row}" if row in bad else f"{row:032x},A,r{row}") for row in range(100_000)
    ]
    (tmp_path / "list.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    clearsight("bank", "create", "big", "--db", db)
    done = clearsight("bank", "import", "big", str(tmp_path / "list.csv"), "--db", db, "--errors", str(tmp_path / "errors.tsv"))
    assert "Imported 99,990 entries (99,990 hashes)" in done.stderr and "10 rows rejected" in done.stderr
    reported = [int(line.split("\t")[0]) for line in (tmp_path / "errors.tsv").read_text().splitlines()]
    assert reported == sorted(row + 2 for row in bad)  # file lines: the header is line 1
    (bank,) = json.loads(clearsight("bank", "show", "big", "--db", db, "--format", "json").stdout)
    assert bank["hashes"] == {"md5": 99_990}
