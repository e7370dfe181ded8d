"""Provenance through the command line: the `provenance` and `modelfile` keys of the scan output,
links between images and the model files that made them (whichever was scanned first), and
prompts kept out of everything printed unless an analyst asks for one file."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import blake3
import pytest

from clearsight.banks.matcher import Matcher
from clearsight.cli.app import RecordFormat
from clearsight.cli.scan import run_scan
from clearsight.config import Settings
from clearsight.pipeline import driver
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from tests.cli_runner import clearsight, records
from tests.in_process_scan import InProcess
from tests.modelfile_factory import checkpoint, lora, tensor_data_hash
from tests.provenance_factory import comfy_graph, dumps, png

PROVENANCE_KEYS = {"verdict", "strength", "tool", "model", "model_hash", "loras", "c2pa", "evidence", "links"}
MODELFILE_KEYS = {"format", "kind", "hashes", "metadata", "unsafe_pickle", "dangerous_globals"}
SECRET_PROMPT = "a lighthouse on a cliff at dusk"


def _infotext(lora_hash: str, model_hash: str) -> str:
    return (f"{SECRET_PROMPT} <lora:squares_v1:0.6>\nNegative prompt: fog\n"
            f'Steps: 20, Sampler: Euler, Seed: 1, Model hash: {model_hash}, Model: base, Lora hashes: "squares_v1: {lora_hash}", Version: v1.9.0')


def _corpus(folder: Path) -> tuple[Path, Path]:
    """Images and models in separate folders; the images name the models by each hash form and by name."""
    models, images = folder / "models", folder / "images"
    models.mkdir(parents=True)
    images.mkdir()
    lora_bytes, checkpoint_bytes = lora(), checkpoint()
    (models / "squares_v1.safetensors").write_bytes(lora_bytes)
    (models / "base.safetensors").write_bytes(checkpoint_bytes)
    autov3, sha256 = tensor_data_hash(lora_bytes), hashlib.sha256(checkpoint_bytes).hexdigest()
    (images / "a1111.png").write_bytes(png({"parameters": _infotext(autov3[:12], sha256[:10])}))
    (images / "forge.png").write_bytes(png({"parameters": _infotext(hashlib.sha256(lora_bytes).hexdigest()[:12], "ffffffffff")}, seed=2))
    graph = comfy_graph()
    graph["10"]["inputs"]["lora_name"] = "loras/squares_v1.safetensors"
    (images / "comfy.png").write_bytes(png({"prompt": dumps(graph)}, seed=3))
    swarm = {"sui_image_params": {"prompt": SECRET_PROMPT, "model": "other", "loras": ["x"]},
             "sui_models": [{"name": "x.safetensors", "param": "loras", "hash": "0x" + autov3}]}
    (images / "swarm.png").write_bytes(png({"parameters": dumps(swarm)}, seed=4))
    invoke = {"positive_prompt": SECRET_PROMPT, "model": {"name": "renamed", "hash": "blake3:" + blake3.blake3(checkpoint_bytes).hexdigest()}}
    (images / "invoke.png").write_bytes(png({"invokeai_metadata": dumps(invoke)}, seed=5))
    (images / "plain.png").write_bytes(png(seed=6))
    return models, images


def _links(record: dict[str, Any]) -> set[tuple[str, str]]:
    return {(Path(link["model_file"]).name, link["via"]) for link in record["provenance"]["links"]}


EXPECTED_LINKS = {
    "a1111.png": {("squares_v1.safetensors", "lora_hash"), ("base.safetensors", "model_hash")},
    "forge.png": {("squares_v1.safetensors", "lora_hash")},
    "comfy.png": {("squares_v1.safetensors", "lora_name")},
    "swarm.png": {("squares_v1.safetensors", "lora_hash")},
    "invoke.png": {("base.safetensors", "model_hash")},
    "plain.png": set(),
}


def test_models_scanned_first_link_in_the_image_records(db: str, tmp_path: Path) -> None:
    models, images = _corpus(tmp_path)
    modelfiles = records(clearsight("models", "scan", str(models), "--db", db).stdout)
    assert {Path(r["path"]).name for r in modelfiles} == {"squares_v1.safetensors", "base.safetensors"}
    assert all(set(r["modelfile"]) >= MODELFILE_KEYS for r in modelfiles)
    scanned = {Path(r["path"]).name: r for r in records(clearsight("scan", str(images), "--db", db, "--format", "jsonl").stdout)}
    for name, expected in EXPECTED_LINKS.items():
        assert _links(scanned[name]) == expected, name
        assert set(scanned[name]["provenance"]) >= PROVENANCE_KEYS
        assert scanned[name]["modelfile"] is None
    assert scanned["plain.png"]["provenance"]["verdict"] == "unknown"


def test_in_one_scan_images_walked_before_their_models_still_name_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models, images = _corpus(tmp_path)
    assert sorted([models.name, images.name]) == [images.name, models.name]  # the walk reaches the images first
    monkeypatch.setattr(driver, "COMMIT_EVERY_ITEMS", 1)  # each image committed and written before the models are read, as in a large scan
    settings = Settings(db=str(tmp_path / "one.db"))
    out = io.StringIO()
    run_scan([str(models.parent)], settings, None, out, RecordFormat.jsonl, Matcher(BankStore(open_engine(settings.db))), executor=InProcess())
    scanned = records(out.getvalue())
    by_name = {Path(record["path"]).name: record for record in scanned}
    assert len(scanned) == len(by_name)  # every item once
    for name, expected in EXPECTED_LINKS.items():
        assert _links(by_name[name]) == expected, name


def test_images_scanned_first_link_when_the_models_arrive(db: str, tmp_path: Path) -> None:
    models, images = _corpus(tmp_path)
    clearsight("scan", str(images), "--db", db)
    clearsight("scan", str(models), "--db", db)
    listed = json.loads(clearsight("models", "links", "--format", "json", "--db", db).stdout)
    found: dict[str, set[tuple[str, str]]] = {}
    for link in listed:
        found.setdefault(Path(link["image"]).name, set()).add((Path(link["model_file"]).name, link["via"]))
    assert found == {name: links for name, links in EXPECTED_LINKS.items() if links}
    assert "links" in clearsight("models", "links", "--db", db).stdout


def test_prompts_are_stored_but_never_printed_unless_asked_for_one_file(tmp_path: Path) -> None:
    _, images = _corpus(tmp_path)
    db = str(tmp_path / "case.db")
    scan = clearsight("scan", str(images), "--db", db, "--format", "jsonl")
    assert SECRET_PROMPT not in scan.stdout + scan.stderr
    record = {Path(r["path"]).name: r for r in records(scan.stdout)}["a1111.png"]
    assert record["provenance"]["evidence"][0]["hidden"] == ["negative_prompt", "prompt"]
    resumed = clearsight("scan", str(images), "--db", db, "--format", "csv")
    assert SECRET_PROMPT not in resumed.stdout
    explained = clearsight("explain", str(images / "a1111.png"), "--db", db)
    assert SECRET_PROMPT not in explained.stdout + explained.stderr
    assert "--show-prompts" in explained.stdout
    shown = clearsight("explain", str(images / "a1111.png"), "--db", db, "--show-prompts", "--format", "json")
    provenance = json.loads(shown.stdout)["provenance"]
    assert provenance["evidence"][0]["claims"]["prompt"].startswith(SECRET_PROMPT)
    assert ("squares_v1.safetensors", "lora_name") not in {(Path(link["model_file"]).name, link["via"]) for link in provenance["links"]}


def test_explain_reads_like_a_report(tmp_path: Path) -> None:
    _, images = _corpus(tmp_path)
    text = clearsight("explain", str(images / "comfy.png"), "--db", str(tmp_path / "none.db")).stdout
    assert "Verdict: AI-generated (strong)" in text
    assert "Tool: ComfyUI" in text
    plain = " ".join(clearsight("explain", str(images / "plain.png")).stdout.split())
    assert "absence of AI signals is not evidence of a photograph" in plain
    failed = clearsight("explain", str(tmp_path / "models" / ".."), check=False)
    assert failed.returncode == 2


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_scan_output_keeps_every_earlier_key(tmp_path: Path, fmt: str) -> None:
    _, images = _corpus(tmp_path)
    out = clearsight("scan", str(images / "a1111.png"), "--db", str(tmp_path / "c.db"), "--format", fmt).stdout
    header = out.splitlines()[0]
    for key in ("path", "media_type", "md5", "sha256", "pdq", "error", "provenance", "modelfile", "matches"):
        assert key in header
