"""sd-parsers' own sample images (read from `tests.peer_files`; their sources, licences and expectations in tests/fixtures/sd_parsers), scanned by `clearsight scan`: each is
judged AI-made by the tool sd-parsers' tests name, with the model, seed, steps, sampler and CFG
scale they expect wherever Clearsight's record gives one, and its prompts hidden from the output.

The whole folder is scanned once, in one subprocess. Prompts are not kept here as text:
expected.json has the SHA-256 of each prompt sd-parsers reads, and Clearsight's own reading comes
from `clearsight explain --show-prompts`, so that the texts are never written to the test output.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import clearsight, records
from tests.peer_files import EXPECTATIONS, peer_folder

FIXTURES = peer_folder("sd_parsers")
EXPECTED: dict[str, dict[str, Any]] = json.loads((EXPECTATIONS / "sd_parsers" / "expected.json").read_text())
NOT_FIXTURES = {"README.md", "expected.json"}
NAMES = sorted(EXPECTED)

# sd-parsers' `Generators` values, and the `tool` Clearsight names for each.
TOOLS = {"AUTOMATIC1111": "AUTOMATIC1111", "ComfyUI": "ComfyUI", "InvokeAI": "InvokeAI", "NovelAI": "NovelAI", "Fooocus": "Fooocus"}

# Where each tool's settings line or JSON keeps a value, in the names it gives them (InvokeAI calls
# its sampler `scheduler`, NovelAI its CFG scale `scale`).
PARAMETER_KEYS = {
    "seed": ("Seed", "seed", "noise_seed"),
    "steps": ("Steps", "steps"),
    "sampler": ("Sampler", "sampler", "sampler_name", "scheduler"),
    "cfg": ("CFG scale", "cfg_scale", "cfg", "guidance_scale", "scale"),
}
CHECKS = [(name, field) for name in NAMES for field in PARAMETER_KEYS if EXPECTED[name].get(field) is not None]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.strip().encode()).hexdigest()


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict[str, Any]], str, Path]:
    """Each fixture's record from one scan of the folder, everything the scan printed, and its case database."""
    case = tmp_path_factory.mktemp("sd_parsers") / "case.db"
    out = clearsight("scan", str(FIXTURES), "--db", str(case), "--format", "jsonl")
    found = {Path(record["path"]).name: record for record in records(out.stdout)}
    return found, out.stdout + out.stderr, case


@pytest.fixture(scope="module")
def found(scan: tuple[dict[str, dict[str, Any]], str, Path]) -> dict[str, dict[str, Any]]:
    return scan[0]


@pytest.fixture(scope="module")
def revealed(scan: tuple[dict[str, dict[str, Any]], str, Path]) -> dict[str, dict[str, str]]:
    """The prompts Clearsight reads from each file (`explain --show-prompts`): {"prompt": ..., "negative_prompt": ...}."""
    texts: dict[str, dict[str, str]] = {}
    for name in NAMES:
        shown = json.loads(clearsight("explain", str(FIXTURES / name), "--db", str(scan[2]), "--show-prompts", "--format", "json").stdout)
        texts[name] = {key: value for evidence in shown["provenance"]["evidence"]
                       for key, value in evidence["claims"].items() if key in ("prompt", "negative_prompt") and isinstance(value, str)}
    return texts


def _provenance(found: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    assert name in found, f"no record for {name}"
    provenance = found[name]["provenance"]
    assert provenance is not None, f"{name}: no provenance record (media_type {found[name]['media_type']}, error {found[name]['error']!r})"
    return provenance


def _generator_evidence(found: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    """The evidence naming sd-parsers' tool, else the first that names any tool."""
    evidence = _provenance(found, name)["evidence"]
    tool = TOOLS[EXPECTED[name]["generator"]]
    named = [item for item in evidence if item["claims"].get("tool") == tool] or [item for item in evidence if item["claims"].get("tool")]
    assert named, f"{name}: no evidence names a tool; Clearsight: {_answer(found, name)}"
    return named[0]


def _answer(found: dict[str, dict[str, Any]], name: str) -> str:
    """Clearsight's answer for a failure message: verdict, tool, model and each evidence's source and settings (no prompts)."""
    provenance = found.get(name, {}).get("provenance")
    if provenance is None:
        return "no provenance"
    evidence = "; ".join(f"{item['source']} ({item['strength']}): tool {item['claims'].get('tool')!r}, "
                         f"parameters {item['claims'].get('parameters')}, hidden {item.get('hidden')}" for item in provenance["evidence"])
    return (f"verdict {provenance['verdict']!r} ({provenance['strength']}), tool {provenance['tool']!r}, model {provenance['model']!r}, "
            f"model_hash {provenance['model_hash']!r}; evidence: {evidence or 'none'}")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _same(field: str, expected: Any, answer: Any) -> bool:
    if field == "cfg":
        try:
            return float(expected) == float(answer)
        except (TypeError, ValueError):
            return False
    return str(expected) == str(answer)


def test_every_fixture_has_an_expectation() -> None:
    files = {path.name for path in FIXTURES.iterdir() if path.is_file()} - NOT_FIXTURES
    assert files == set(EXPECTED)
    assert all(path.stat().st_size < 1024 * 1024 for path in FIXTURES.iterdir())
    assert set(TOOLS) >= {expected["generator"] for expected in EXPECTED.values()}


@pytest.mark.parametrize("name", NAMES)
def test_verdict_is_ai(found: dict[str, dict[str, Any]], name: str) -> None:
    provenance = _provenance(found, name)
    assert provenance["verdict"] == "ai", f"sd-parsers' {EXPECTED[name]['source_test']} reads {EXPECTED[name]['generator']} metadata; Clearsight: {_answer(found, name)}"


@pytest.mark.parametrize("name", NAMES)
def test_the_generator_evidence_names_the_tool(found: dict[str, dict[str, Any]], name: str) -> None:
    tool = TOOLS[EXPECTED[name]["generator"]]
    provenance = _provenance(found, name)
    evidence = _generator_evidence(found, name)
    assert (provenance["tool"], evidence["claims"]["tool"]) == (tool, tool), (
        f"sd-parsers' {EXPECTED[name]['source_test']} expects {EXPECTED[name]['generator']}; Clearsight: {_answer(found, name)}")


@pytest.mark.parametrize("name", NAMES)
def test_the_model_is_the_one_sd_parsers_reads(found: dict[str, dict[str, Any]], name: str) -> None:
    expected = EXPECTED[name]
    provenance = _provenance(found, name)
    wanted = (expected["model"], expected["model_hash"]) if expected["model_hash"] else (expected["model"],)
    answer = (provenance["model"], provenance["model_hash"]) if expected["model_hash"] else (provenance["model"],)
    assert answer == wanted, f"sd-parsers' {expected['source_test']} expects model {wanted}; Clearsight: {_answer(found, name)}"


@pytest.mark.parametrize("name", [name for name in NAMES if "samplers" in EXPECTED[name]])
def test_every_sampler_s_model_is_named(found: dict[str, dict[str, Any]], name: str) -> None:
    """A graph with several sampling passes: each pass's checkpoint is among those Clearsight names."""
    claims = _generator_evidence(found, name)["claims"]
    named = {claims.get("model"), *claims.get("checkpoints", [])}
    wanted = [sampler["model"] for sampler in EXPECTED[name]["samplers"]]
    assert set(wanted) <= named, f"sd-parsers' {EXPECTED[name]['source_test']} expects the models {wanted}; Clearsight names {sorted(map(str, named))}"


@pytest.mark.parametrize(("name", "field"), CHECKS, ids=[f"{name}-{field}" for name, field in CHECKS])
def test_a_setting_clearsight_gives_is_the_one_sd_parsers_reads(found: dict[str, dict[str, Any]], name: str, field: str) -> None:
    expected = EXPECTED[name]
    claims = _generator_evidence(found, name)["claims"]
    parameters = claims.get("parameters") or {}
    given = [(key, parameters[key]) for key in PARAMETER_KEYS[field] if key in parameters]
    given = given or [(key, claims[key]) for key in PARAMETER_KEYS[field] if key in claims]
    if not given:
        pytest.skip(f"Clearsight's {claims.get('tool')} evidence gives no {field} (sd-parsers: {expected[field]!r})")
    key, answer = given[0]
    assert _same(field, expected[field], answer), (
        f"sd-parsers' {expected['source_test']} expects {field} {expected[field]!r}; Clearsight's {key!r} is {answer!r}")


@pytest.mark.parametrize("name", NAMES)
def test_the_prompts_are_hidden_in_the_scan_output(scan: tuple[dict[str, dict[str, Any]], str, Path], revealed: dict[str, dict[str, str]], name: str) -> None:
    found, printed, _ = scan
    expected = EXPECTED[name]
    hidden = set(_generator_evidence(found, name).get("hidden") or [])
    wanted = {"prompt"} if expected["has_prompt"] else set()
    wanted |= {"negative_prompt"} if expected["has_negative_prompt"] else set()
    assert wanted <= hidden, f"sd-parsers reads {sorted(wanted)}; Clearsight's record lists hidden {sorted(hidden)}"
    secrets = set(expected["prompt_sha256"]) | set(expected["negative_prompt_sha256"])
    shown = [text for text in _strings(found[name]) for text in (text, *text.splitlines()) if _sha256(text) in secrets]
    assert not shown, f"{name}: {len(shown)} string(s) of the scan record are prompts sd-parsers reads"
    leaked = [key for key, text in revealed[name].items() if any(line.strip() and line.strip() in printed for line in text.splitlines())]
    assert not leaked, f"{name}: the scan printed (part of) the {leaked} Clearsight reads"


@pytest.mark.parametrize("name", [name for name in NAMES if EXPECTED[name]["has_prompt"]])
def test_the_prompts_clearsight_reads_are_those_sd_parsers_reads(revealed: dict[str, dict[str, str]], name: str) -> None:
    """Compared as SHA-256 of each prompt (one a line where a graph has several), so no prompt is printed."""
    expected = EXPECTED[name]
    for key in ("prompt", "negative_prompt"):
        wanted = set(expected[f"{key}_sha256"])
        text = revealed[name].get(key, "")
        answer = {_sha256(text)} if _sha256(text) in wanted else {_sha256(line) for line in text.splitlines() if line.strip()}
        assert answer == wanted, (
            f"sd-parsers' {expected['source_test']} reads {len(wanted)} {key}(s); Clearsight's {key} ({len(text)} characters) "
            f"matches {len(answer & wanted)} of them and has {len(answer - wanted)} other(s)")
