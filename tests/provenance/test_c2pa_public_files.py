"""Public C2PA test files of the C2PA ecosystem (read from `tests.peer_files`; tests/fixtures/c2pa_public holds their sources and expectations: c2pa-rs's own fixtures
and c2pa-org/public-testfiles), scanned by `clearsight scan` without trust anchors: each file is
judged as its source project expects (expected.json says what and where from; README.md too).

The folder is scanned once, in one subprocess. The c2pa evidence's state and failure codes must be
those of the reference (`signingCredential.untrusted` aside: without trust anchors Clearsight says
`valid`, not `trusted`); an AI claim gives the verdict `ai`; no file gives `camera` (nobody vouched
for any signer); a manifest kept remotely is reported with its URL (never fetched); each ingredient
with a manifest of its own is `c2pa.ingredient` evidence with its state, failures and source type.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import clearsight, records
from tests.peer_files import EXPECTATIONS, peer_folder

FIXTURES = peer_folder("c2pa_public")
EXPECTED: dict[str, dict[str, Any]] = json.loads((EXPECTATIONS / "c2pa_public" / "expected.json").read_text())
NOT_FIXTURES = {"README.md", "expected.json"}
ALL = sorted(EXPECTED)
WITH_MANIFEST = sorted(name for name, expected in EXPECTED.items() if expected["state"] in ("valid", "invalid"))
AI = sorted(name for name, expected in EXPECTED.items() if expected["ai"])
REMOTE = sorted(name for name, expected in EXPECTED.items() if expected["remote"])
INGREDIENT_AI = sorted(name for name, expected in EXPECTED.items() if any(ingredient["ai"] for ingredient in expected["ingredient_manifests"]))


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each fixture's record, by file name, from one scan of the folder with no trust anchors."""
    case = tmp_path_factory.mktemp("c2pa_public") / "case.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CLEARSIGHT_C2PA_TRUST_ANCHORS", raising=False)
        out = clearsight("scan", str(FIXTURES), "--db", str(case), "--format", "jsonl")
    return {Path(record["path"]).name: record for record in records(out.stdout)}


def _evidence(record: dict[str, Any] | None, source: str) -> list[dict[str, Any]]:
    return [evidence for evidence in ((record or {}).get("provenance") or {}).get("evidence") or [] if evidence.get("source") == source]


def _c2pa(record: dict[str, Any] | None) -> dict[str, Any] | None:
    """The file's own (active manifest's) c2pa evidence; a file has at most one."""
    found = _evidence(record, "c2pa")
    assert len(found) <= 1, f"more than one c2pa evidence: {found}"
    return found[0] if found else None


def _state(evidence: dict[str, Any] | None) -> str | None:
    if evidence is None:
        return None
    return "unreadable" if evidence.get("unreadable") else evidence["claims"].get("state")


def _answer(record: dict[str, Any] | None) -> str:
    """Clearsight's answer, for a failure message."""
    if record is None:
        return "no record"
    provenance = record.get("provenance")
    head = f"identified as {record['media_type']}" + (f" (error: {record['error']})" if record.get("error") else "")
    if provenance is None:
        return f"{head}, no provenance record"
    evidence = [{key: value for key, value in item.items() if key in ("source", "strength", "claims", "unreadable")}
                for item in provenance.get("evidence") or [] if str(item.get("source", "")).startswith("c2pa")]
    return f"{head}, verdict {provenance['verdict']!r}, c2pa evidence {json.dumps(evidence)}"


def test_every_fixture_has_an_expectation_and_is_the_source_projects_file() -> None:
    files = {path.name for path in FIXTURES.iterdir() if path.is_file()} - NOT_FIXTURES
    assert files == set(EXPECTED)
    for name, expected in EXPECTED.items():
        data = (FIXTURES / name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (expected["size"], expected["sha256"]), name
        assert len(data) < 512 * 1024, name
    assert sum(expected["size"] for expected in EXPECTED.values()) < 3 * 1024 * 1024


@pytest.mark.parametrize("name", ALL)
def test_c2pa_state_and_failures_are_the_references(scanned: dict[str, dict[str, Any]], name: str) -> None:
    expected = EXPECTED[name]
    evidence = _c2pa(scanned.get(name))
    failures = sorted((evidence or {}).get("claims", {}).get("failures") or [])
    assert (_state(evidence), failures) == (expected["state"], expected["failures"]), (
        f"expected c2pa state {expected['state']!r} with failures {expected['failures']} ({expected['source']}); Clearsight: {_answer(scanned.get(name))}")


@pytest.mark.parametrize("name", WITH_MANIFEST)
def test_digital_source_type_and_ai_claim_are_the_manifests(scanned: dict[str, dict[str, Any]], name: str) -> None:
    expected = EXPECTED[name]
    claims = (_c2pa(scanned.get(name)) or {}).get("claims", {})
    assert (claims.get("digital_source_type"), claims.get("ai_generated")) == (expected["digital_source_type"], expected["ai"]), (
        f"expected source type {expected['digital_source_type']!r}, AI claim {expected['ai']}; Clearsight: {_answer(scanned.get(name))}")


@pytest.mark.parametrize("name", AI)
def test_an_ai_claim_gives_the_verdict_ai(scanned: dict[str, dict[str, Any]], name: str) -> None:
    provenance = (scanned.get(name) or {}).get("provenance") or {}
    assert provenance.get("verdict") == "ai", f"{EXPECTED[name]['digital_source_type']} claimed; Clearsight: {_answer(scanned.get(name))}"


@pytest.mark.parametrize("name", ALL)
def test_no_camera_verdict_without_trust_anchors(scanned: dict[str, dict[str, Any]], name: str) -> None:
    provenance = (scanned.get(name) or {}).get("provenance") or {}
    assert provenance.get("verdict") != "camera", f"no signer is trusted; Clearsight: {_answer(scanned.get(name))}"


@pytest.mark.parametrize("name", REMOTE)
def test_a_remote_manifest_is_reported_with_its_url(scanned: dict[str, dict[str, Any]], name: str) -> None:
    expected = EXPECTED[name]
    claims = (_c2pa(scanned.get(name)) or {}).get("claims", {})
    assert claims.get("remote_manifest") == expected["remote_manifest"], (
        f"expected remote manifest {expected['remote_manifest']} ({expected['source']}); Clearsight: {_answer(scanned.get(name))}")


def _ingredient_summary(ingredient: dict[str, Any]) -> tuple[Any, ...]:
    return (ingredient.get("relationship"), ingredient.get("state"), sorted(ingredient.get("failures") or []), ingredient.get("digital_source_type"))


@pytest.mark.parametrize("name", WITH_MANIFEST)
def test_every_ingredient_manifest_is_reported_with_its_validation(scanned: dict[str, dict[str, Any]], name: str) -> None:
    expected = EXPECTED[name]
    found = sorted((_ingredient_summary(evidence["claims"]) for evidence in _evidence(scanned.get(name), "c2pa.ingredient")), key=repr)
    wanted = sorted((_ingredient_summary(ingredient) for ingredient in expected["ingredient_manifests"]), key=repr)
    assert found == wanted, (
        f"expected ingredient manifests (relationship, state, failures, source type) {wanted} ({expected['source']}); Clearsight: {_answer(scanned.get(name))}")


@pytest.mark.parametrize("name", INGREDIENT_AI)
def test_an_ai_claim_made_in_an_ingredient_is_found(scanned: dict[str, dict[str, Any]], name: str) -> None:
    wanted = {ingredient["digital_source_type"] for ingredient in EXPECTED[name]["ingredient_manifests"] if ingredient["ai"]}
    found = {evidence["claims"].get("digital_source_type") for evidence in _evidence(scanned.get(name), "c2pa.ingredient")
             if evidence["claims"].get("ai_generated") is True}
    assert wanted <= found, f"expected ingredient AI claims {sorted(wanted)}; Clearsight: {_answer(scanned.get(name))}"
