"""Evidence cannot drive the analyst's terminal: escapes and Rich markup in metadata, bank, LoRA
and account names are printed as visible text by every command, and never crash one."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_runner import clearsight, records
from tests.modelfile_factory import lora
from tests.provenance_factory import png

ERASE_AND_LIE = "\x1b[2K\x1b[1A\x1b[2KVerdict: camera capture (verified provenance)\u202e"
MARKUP = "[/][bold]squares[/bold][link=x]"


def _no_escape_reaches_the_terminal(text: str) -> None:
    assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text


def test_explain_shows_an_escape_in_a_model_name_as_text_and_keeps_the_real_verdict(tmp_path: Path) -> None:
    image = tmp_path / "spoof.png"
    image.write_bytes(png({"parameters": f"Steps: 20, Sampler: Euler, Seed: 1, Model: {ERASE_AND_LIE}", "Software": MARKUP}))
    text = clearsight("explain", str(image), "--db", str(tmp_path / "none.db"), columns=400).stdout
    _no_escape_reaches_the_terminal(text)
    assert text.splitlines()[0].startswith("Verdict: AI-generated")
    assert "\\x1b[2K\\x1b[1A" in text and "\\u202e" in text
    as_json = json.loads(clearsight("explain", str(image), "--format", "json", "--db", str(tmp_path / "none.db")).stdout)
    _no_escape_reaches_the_terminal(json.dumps(as_json, ensure_ascii=True).replace("\\u001b", ""))
    assert as_json["provenance"]["model"] == ERASE_AND_LIE  # JSON keeps the value exactly, escaped


def test_markup_and_escapes_in_bank_names_and_sources_print_as_text(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    name = "bank[/]one"
    created = clearsight("bank", "create", name, "--db", db, "--source", f"{MARKUP}\x1b[31m")
    assert name in created.stderr.replace("\\", "")
    listed = clearsight("bank", "list", "--db", db, columns=400).stdout
    _no_escape_reaches_the_terminal(listed)
    assert name in listed and f"{MARKUP}\\x1b[31m" in listed
    assert json.loads(clearsight("bank", "list", "--db", db, "--format", "json").stdout)[0]["name"] == name


def test_markup_in_an_account_name_prints_as_text(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    clearsight("users", "add", "ana[/]lyst", "--role", "analyst", "--password-stdin", "--db", db, stdin="correct horse battery staple\n")
    listed = clearsight("users", "list", "--db", db, columns=400).stdout
    assert "ana[/]lyst" in listed


def test_a_lora_name_with_markup_is_listed_as_text_in_model_links(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    models, images = tmp_path / "models", tmp_path / "images"
    models.mkdir()
    images.mkdir()
    lora_name = "[bold]squares"
    (models / f"{lora_name}.safetensors").write_bytes(lora())
    infotext = f"a test card <lora:{lora_name}:0.7>\nSteps: 20, Sampler: Euler, Seed: 1, Model: base"
    (images / "made.png").write_bytes(png({"parameters": infotext}))
    clearsight("models", "scan", str(models), "--db", db)
    scanned = records(clearsight("scan", str(images), "--db", db, "--format", "jsonl").stdout)
    assert scanned[0]["provenance"]["loras"][0]["name"] == lora_name
    explained = clearsight("explain", str(images / "made.png"), "--db", db, columns=400).stdout
    assert f"LoRA: {lora_name}" in explained
    assert scanned[0]["provenance"]["links"]
    assert lora_name in clearsight("models", "links", "--db", db, columns=400).stdout


def test_an_error_naming_a_hostile_file_prints_one_inert_line(tmp_path: Path) -> None:
    hostile = tmp_path / "name\x1b[2Jwith\nescape.bin"
    hostile.write_bytes(b"\0" * 16)
    failed = clearsight("explain", str(hostile), check=False)
    assert failed.returncode == 1
    _no_escape_reaches_the_terminal(failed.stderr)
    error_lines = [line for line in failed.stderr.splitlines() if line.startswith("clearsight: error:")]
    assert len(error_lines) == 1 and "\\x1b[2J" in error_lines[0]


def test_indented_json_output_stays_indented_and_parses(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    clearsight("bank", "create", "known\u202e", "--db", db)
    shown = clearsight("audit", "show", "--db", db).stdout
    assert shown.startswith("[\n {\n") and "\\u202e" in shown
    assert json.loads(shown)[0]["subject"] == "known\u202e"
