"""One list of sensitive fields, hidden everywhere until an analyst reveals them for one item:
prompt templates, training datasets, class tokens and trigger phrases, training comments and a
container's free-text tags, as well as prompts and captions."""

from __future__ import annotations

import json
from pathlib import Path

from safetensors.numpy import save

from clearsight.sensitive import SENSITIVE_CLAIMS, is_sensitive_metadata, is_sensitive_setting
from tests.cli_runner import clearsight, records
from tests.modelfile_factory import LORA_TENSORS
from tests.provenance_factory import png

SECRET = "a lighthouse at dusk"


def test_the_rules_name_every_kind_of_free_text() -> None:
    assert all(is_sensitive_setting(name) for name in ("Template", "Negative Template", "Hires prompt", "Wildcard prompt"))
    assert not any(is_sensitive_setting(name) for name in ("Steps", "Sampler", "Model hash", "Lora hashes"))
    assert all(is_sensitive_metadata(key) for key in ("ss_tag_frequency", "ss_datasets", "ss_dataset_dirs", "ss_reg_dataset_dirs",
                                                       "ss_training_comment", "modelspec.trigger_phrase", "modelspec.description", "general.description"))
    assert not any(is_sensitive_metadata(key) for key in ("ss_output_name", "ss_network_dim", "modelspec.architecture", "general.architecture"))
    assert {"prompt", "negative_prompt", "template", "other_tags"} <= SENSITIVE_CLAIMS


def test_a_dynamic_prompts_template_is_hidden_from_scan_output_and_explain(tmp_path: Path) -> None:
    image = tmp_path / "templated.png"
    image.write_bytes(png({"parameters": f"cat\nNegative prompt: x\nSteps: 20, Sampler: Euler, Seed: 1, Template: {SECRET}, Negative Template: {SECRET} 2"}))
    db = str(tmp_path / "case.db")
    scanned = clearsight("scan", str(image), "--db", db, "--format", "jsonl")
    assert SECRET not in scanned.stdout + scanned.stderr
    parameters = records(scanned.stdout)[0]["provenance"]["evidence"][0]
    assert "prompt" in parameters["hidden"] and "Template" not in json.dumps(parameters)
    assert SECRET not in clearsight("explain", str(image), "--db", db).stdout
    assert SECRET in clearsight("explain", str(image), "--db", db, "--show-prompts", "--format", "json").stdout


def test_training_datasets_class_tokens_and_comments_are_hidden_from_models_scan(tmp_path: Path) -> None:
    metadata = {"ss_output_name": "shapes_v2", "ss_network_module": "networks.lora",
                "ss_datasets": json.dumps([{"subsets": [{"class_tokens": SECRET, "image_dir": f"10_{SECRET}"}]}]),
                "ss_dataset_dirs": json.dumps({f"10_{SECRET}": {"n_repeats": 10, "img_count": 3}}),
                "ss_training_comment": SECRET, "modelspec.trigger_phrase": SECRET}
    model = tmp_path / "models" / "shapes_v2.safetensors"
    model.parent.mkdir()
    model.write_bytes(save(LORA_TENSORS, metadata=metadata))
    scanned = clearsight("models", "scan", str(model.parent), "--db", str(tmp_path / "case.db"))
    assert SECRET not in scanned.stdout + scanned.stderr
    record = records(scanned.stdout)[0]["modelfile"]
    assert record["metadata"]["ss_output_name"] == "shapes_v2"
    assert record["hidden"] == ["modelspec.trigger_phrase", "ss_dataset_dirs", "ss_datasets"]  # a training comment is not kept at all
    assert SECRET not in clearsight("explain", str(model)).stdout
    assert SECRET in clearsight("explain", str(model), "--show-prompts").stdout
