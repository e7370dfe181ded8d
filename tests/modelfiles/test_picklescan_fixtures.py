"""picklescan's own test files (read from `tests.peer_files`; their sources, licences and expectations in tests/fixtures/picklescan), scanned by `clearsight scan`: every file
picklescan's tests call dangerous is flagged with at least the dangerous globals they list, and no
file they call benign is flagged.

The whole folder is scanned once, in one subprocess, and each file is then judged from its records:
its own and, for an archive Clearsight opens, its members' (`archive!/member`). Nothing is unpickled.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import clearsight, records
from tests.peer_files import EXPECTATIONS, peer_folder

FIXTURES = peer_folder("picklescan")
EXPECTED: dict[str, dict[str, Any]] = json.loads((EXPECTATIONS / "picklescan" / "expected.json").read_text())
NOT_FIXTURES = {"README.md", "expected.json", "make_fixtures.py"}
DANGEROUS = sorted(name for name, expected in EXPECTED.items() if not expected["benign"])
BENIGN = sorted(name for name, expected in EXPECTED.items() if expected["benign"])


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Each fixture's records (its own, then its members'), from one scan of all of them."""
    case = tmp_path_factory.mktemp("picklescan") / "case.db"
    out = clearsight("scan", *(str(FIXTURES / name) for name in sorted(EXPECTED)), "--db", str(case), "--format", "jsonl")
    found: dict[str, list[dict[str, Any]]] = {name: [] for name in EXPECTED}
    for record in records(out.stdout):
        found[Path(record["path"].split("!", 1)[0]).name].append(record)
    return found


def _verdict(found: list[dict[str, Any]]) -> tuple[bool, set[str]]:
    """Whether any of the records is flagged as an unsafe pickle, and every dangerous global they list."""
    models = [record["modelfile"] for record in found if record.get("modelfile")]
    return any(model["unsafe_pickle"] for model in models), {name for model in models for name in model["dangerous_globals"]}


def _answer(found: list[dict[str, Any]]) -> str:
    """Clearsight's answer for a failure message: what each record was identified as, and its pickle report."""
    lines = []
    for record in found:
        model = record.get("modelfile")
        report = "no pickle report" if model is None else (
            f"format {model['format']}, unsafe_pickle {model['unsafe_pickle']}, dangerous {model['dangerous_globals']}"
            + (f", scan_error {model['metadata']['scan_error']!r}" if "scan_error" in (model.get("metadata") or {}) else ""))
        error = f" (error: {record['error']})" if record.get("error") else ""
        lines.append(f"{record['path'].removeprefix(f'{FIXTURES}/')}: identified as {record['media_type']}{error}, {report}")
    return "; ".join(lines) or "no record"


def test_every_fixture_has_an_expectation() -> None:
    files = {path.name for path in FIXTURES.iterdir() if path.is_file()} - NOT_FIXTURES
    assert files == set(EXPECTED)
    assert all(path.stat().st_size < 1024 * 1024 for path in FIXTURES.iterdir())


@pytest.mark.parametrize("name", DANGEROUS)
def test_a_file_picklescan_calls_dangerous_is_flagged(scanned: dict[str, list[dict[str, Any]]], name: str) -> None:
    expected = EXPECTED[name]
    flagged, dangerous = _verdict(scanned[name])
    assert flagged and set(expected["dangerous"]) <= dangerous, (
        f"picklescan's {expected['source_test']} expects dangerous {expected['dangerous']}; Clearsight: {_answer(scanned[name])}")


@pytest.mark.parametrize("name", BENIGN)
def test_a_file_picklescan_calls_benign_is_not_flagged(scanned: dict[str, list[dict[str, Any]]], name: str) -> None:
    flagged, dangerous = _verdict(scanned[name])
    assert not flagged and not dangerous, f"picklescan's {EXPECTED[name]['source_test']} expects no issue; Clearsight: {_answer(scanned[name])}"
