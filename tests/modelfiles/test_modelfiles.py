"""Model-file forensics through `clearsight models scan`: hashes in every form, training metadata,
kinds, pickle safety without unpickling, GGUF headers, and clear errors for broken files."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import blake3
from hypothesis import given, settings
from hypothesis import strategies as st

from clearsight.config import Limits, Settings
from clearsight.errors import ItemError
from clearsight.modelfiles.inspect import FORMAT_BY_MIME, inspect_model
from clearsight.modelfiles.pickles import scan_pickle
from tests.cli_runner import clearsight, records
from tests.modelfile_factory import (
    TAGS,
    checkpoint,
    dangerous_pickle,
    gguf,
    lora,
    padded_torch_zip,
    padded_trap,
    state_dict_pickle,
    tensor_data_hash,
    torch_zip,
)
from tests.provenance_factory import item_of


def _scan(folder: Path, *extra: str) -> dict[str, dict[str, Any]]:
    out = clearsight("models", "scan", str(folder), "--db", str(folder.parent / "case.db"), *extra)
    return {Path(record["path"]).name: record for record in records(out.stdout)}


def test_lora_hashes_kind_and_kohya_training_metadata(tmp_path: Path) -> None:
    folder = tmp_path / "seized"
    folder.mkdir()
    data = lora()
    (folder / "squares_v1.safetensors").write_bytes(data)
    model = _scan(folder)["squares_v1.safetensors"]["modelfile"]
    sha256 = hashlib.sha256(data).hexdigest()
    assert model["format"] == "safetensors" and model["kind"] == "lora"
    assert model["hashes"] == {"sha256": sha256, "autov1": None, "autov2": sha256[:10], "autov3": tensor_data_hash(data),
                               "blake3": blake3.blake3(data).hexdigest()}
    metadata = model["metadata"]
    assert metadata["ss_output_name"] == "squares_v1"
    assert metadata["ss_num_train_images"] == "20"
    assert metadata["sshs_model_hash_matches"] is True
    assert model["hidden"] == ["ss_dataset_dirs", "ss_tag_frequency"]  # folder names carry class tokens; tags are captions
    assert "ss_tag_frequency" not in metadata and "ss_dataset_dirs" not in metadata
    assert (model["unsafe_pickle"], model["dangerous_globals"]) == (False, [])


def test_training_captions_are_shown_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "squares_v1.safetensors"
    path.write_bytes(lora())
    assert "circle" not in clearsight("explain", str(path), "--format", "json").stdout
    assert '"ss_tag_frequency": ' + str(TAGS).replace("'", '"') in clearsight("explain", str(path), "--format", "json", "--show-prompts").stdout


def test_checkpoint_gets_autov1_and_modelspec(tmp_path: Path) -> None:
    folder = tmp_path / "seized"
    folder.mkdir()
    data = checkpoint()
    (folder / "base.safetensors").write_bytes(data)
    model = _scan(folder)["base.safetensors"]["modelfile"]
    assert model["kind"] == "checkpoint"
    assert model["hashes"]["autov1"] == hashlib.sha256(data[0x100000:0x110000]).hexdigest()[:8]
    assert model["metadata"]["modelspec.title"] == "Benign Base"


def test_dangerous_pickle_is_flagged_and_never_executed(tmp_path: Path) -> None:
    folder = tmp_path / "seized"
    folder.mkdir()
    marker = tmp_path / "this-file-appears-only-if-the-pickle-ran"
    (folder / "trap.ckpt").write_bytes(dangerous_pickle(f"touch {marker}"))
    (folder / "trap_zip.pt").write_bytes(torch_zip(dangerous_pickle(f"touch {marker}")))
    (folder / "base.ckpt").write_bytes(torch_zip(state_dict_pickle("model.diffusion_model.input_blocks.0.0.weight", "cond_stage_model.x")))
    (folder / "emb.pt").write_bytes(state_dict_pickle("string_to_param", "name", "step"))
    found = _scan(folder)
    clearsight("explain", str(folder / "trap.ckpt"), "--format", "json")
    for name in ("trap.ckpt", "trap_zip.pt"):
        model = found[name]["modelfile"]
        assert model["format"] == "pickle" and model["unsafe_pickle"] is True
        assert "os.system" in model["dangerous_globals"] or "posix.system" in model["dangerous_globals"]
    assert (found["base.ckpt"]["modelfile"]["kind"], found["base.ckpt"]["modelfile"]["unsafe_pickle"]) == ("checkpoint", False)
    assert found["emb.pt"]["modelfile"]["kind"] == "embedding"
    assert not marker.exists()


def test_gguf_header_metadata(tmp_path: Path) -> None:
    folder = tmp_path / "seized"
    folder.mkdir()
    (folder / "tiny.gguf").write_bytes(gguf())
    model = _scan(folder)["tiny.gguf"]["modelfile"]
    assert model["format"] == "gguf"
    assert model["metadata"]["version"] == 3
    assert model["metadata"]["metadata"]["general.name"] == "benign-tiny"
    assert model["metadata"]["metadata"]["tokenizer.ggml.tokens"] == {"array_length": 100}
    assert model["metadata"]["metadata"]["general.quality"] == "nan"  # JSON has no NaN: the scan output stays strict JSON


def test_broken_model_files_get_an_error_each_and_the_rest_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "seized"
    folder.mkdir()
    good = lora()
    (folder / "ok.safetensors").write_bytes(good)
    (folder / "cut.safetensors").write_bytes(good[:40])
    (folder / "badjson.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}")
    (folder / "cut.gguf").write_bytes(gguf()[:60])
    found = _scan(folder)
    assert found["ok.safetensors"]["modelfile"]["kind"] == "lora"
    assert "header claims" in found["cut.safetensors"]["error"]
    assert "not valid JSON" in found["badjson.safetensors"]["error"]
    assert "truncated" in found["cut.gguf"]["error"]
    assert all(found[name]["modelfile"] is None for name in ("cut.safetensors", "badjson.safetensors", "cut.gguf"))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(FORMAT_BY_MIME)), st.binary(max_size=400), st.integers(min_value=0, max_value=2**40))
def test_any_bytes_give_a_record_or_a_clear_error(mime: str, body: bytes, length: int) -> None:
    prefix = {"application/vnd.safetensors": length.to_bytes(8, "little"), "application/vnd.gguf": b"GGUF" + (length % 5).to_bytes(4, "little"),
              "application/x-python-pickle": b"\x80\x02", "application/vnd.pytorch+zip": b"", "application/x-npz": b"",
              "application/x-npy": b"\x93NUMPY\x01\x00" + (length % 300).to_bytes(2, "little")}[mime]
    data = prefix + body
    item = item_of(data)
    item.result.media_type, item.result.mime = "model", mime
    try:
        inspect_model(item, Settings())
    except ItemError as exc:
        assert str(exc)
        return
    assert item.result.modelfile is not None and item.result.modelfile["hashes"]["sha256"] == hashlib.sha256(data).hexdigest()


CHILD_MEMORY_LIMIT = 1024**3
CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from clearsight.config import load_settings
from clearsight.item import Item, ItemResult
from clearsight.modelfiles.inspect import inspect_model
path = sys.argv[1]
item = Item(ItemResult(path=path, size={size}, mtime_ns=0, media_type="model", mime="application/vnd.pytorch+zip"), fs_path=path)
inspect_model(item, load_settings())
peak_kib = int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1])  # this program's own peak: ru_maxrss would include the forking parent's
print(json.dumps({{"model": item.result.modelfile, "peak_kib": peak_kib}}))
"""


def test_a_huge_pickle_in_a_small_torch_zip_is_scanned_in_bounded_memory_and_flagged(tmp_path: Path) -> None:
    """400 MB of NONE opcodes (a few hundred KB zipped) hiding `os.system` at the end: the scan
    stops at CLEARSIGHT_MAX_PICKLE_BYTES, in a child held to 1 GiB of address space, and the file
    is flagged unsafe because its unread rest could import anything."""
    marker = tmp_path / "this-file-appears-only-if-the-pickle-ran"
    path = tmp_path / "padded.pt"
    padded_torch_zip(path, 400 * 1024 * 1024, padded_trap(f"touch {marker}"))
    assert path.stat().st_size < 1024 * 1024
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1", "CLEARSIGHT_MAX_PICKLE_BYTES": str(4 * 1024 * 1024)}
    script = CHILD.format(limit=CHILD_MEMORY_LIMIT, size=path.stat().st_size)
    child = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert child.returncode == 0, child.stderr[-2000:]
    answer = json.loads(child.stdout)
    model = answer["model"]
    assert model["unsafe_pickle"] is True
    assert "CLEARSIGHT_MAX_PICKLE_BYTES" in model["metadata"]["scan_error"]
    assert answer["peak_kib"] < 512 * 1024  # far below the 400 MB a whole read takes
    assert not marker.exists()


def test_a_zip_member_expanding_past_the_compression_ratio_stops_the_scan(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pt"
    padded_torch_zip(path, 8 * 1024 * 1024, b"")
    report = scan_pickle(lambda: path.open("rb"), Limits(max_compression_ratio=5))
    assert report.incomplete and "CLEARSIGHT_MAX_COMPRESSION_RATIO" in (report.error or "")


def test_dangerous_globals_are_found_however_they_are_imported() -> None:
    """GLOBAL, and STACK_GLOBAL naming its module and attribute directly or through the memo."""
    def short(text: str) -> bytes:
        return b"\x8c" + bytes([len(text)]) + text.encode()
    stack_global = b"\x80\x04" + short("os") + b"\x94" + short("system") + b"\x94" + b"\x93" + short("true") + b"\x85R."
    through_memo = b"\x80\x04" + short("builtins") + b"\x94" + short("eval") + b"\x94" + b"h\x00h\x01" + b"\x93" + short("1") + b"\x85R."
    for data in (dangerous_pickle("true"), stack_global, through_memo):
        report = scan_pickle(lambda data=data: io.BytesIO(data), Limits())
        assert report.dangerous and not report.incomplete and report.error is None, report


def test_a_stack_global_of_values_not_known_statically_is_dangerous() -> None:
    data = b"\x80\x04" + b"h\x07h\x08" + b"\x93" + b")R."
    assert scan_pickle(lambda: io.BytesIO(data), Limits()).dangerous == ["unknown.unknown"]
