"""A pickle is found by its opcodes, whatever its protocol, name or wrapper: raw pickles of
protocols 0 to 5, NumPy object arrays (`.npy`) and `.npz` archives holding them are model files
with their dangerous imports listed; numeric arrays and text are not. Nothing is unpickled: the
files are written here with `pickle.dumps` and only ever scanned."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from clearsight.media.modelfiles import TRUNCATED_OPCODES, is_pickle, sniff_model
from tests.cli_runner import clearsight, records


class _Trap:
    """Pickles as a call of `os.system` (with a harmless argument), as a booby-trapped model does."""

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.system, ("true",))


STATE = {"model.diffusion_model.input_blocks.0.weight": [0.5, 0.25], "name": "layer"}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("pickles")
    for protocol in range(6):
        (folder / f"trap{protocol}.ckpt").write_bytes(pickle.dumps(_Trap(), protocol=protocol))
        (folder / f"state{protocol}.bin").write_bytes(pickle.dumps(STATE, protocol=protocol))
    (folder / "long0.pt").write_bytes(pickle.dumps([{**STATE, "index": index} for index in range(400)] + [_Trap()], protocol=0))
    np.save(folder / "objects.npy", np.array([_Trap(), 1], dtype=object), allow_pickle=True)
    np.save(folder / "numbers.npy", np.arange(12, dtype=np.float32))
    np.savez(folder / "mixed.npz", numbers=np.arange(3), objects=np.array([_Trap()], dtype=object))
    (folder / "notes.txt").write_text("cats\nand dogs\nare not a pickle, though c starts a GLOBAL opcode\n")
    db = str(folder.parent / f"{folder.name}.db")
    return {Path(record["path"]).name: record for record in records(clearsight("scan", str(folder), "--db", db, "--format", "jsonl").stdout)}


@pytest.mark.parametrize("protocol", range(6))
def test_pickles_of_every_protocol_are_model_files_and_their_traps_are_flagged(scanned: dict[str, dict[str, Any]], protocol: int) -> None:
    trap, state = scanned[f"trap{protocol}.ckpt"], scanned[f"state{protocol}.bin"]
    assert trap["media_type"] == "model" and trap["modelfile"]["unsafe_pickle"] is True
    assert [name.split(".")[-1] for name in trap["modelfile"]["dangerous_globals"]] == ["system"]
    assert state["media_type"] == "model" and state["modelfile"]["unsafe_pickle"] is False and state["modelfile"]["dangerous_globals"] == []


def test_a_headerless_pickle_longer_than_the_sniffed_head_is_still_one(scanned: dict[str, dict[str, Any]]) -> None:
    record = scanned["long0.pt"]
    assert record["size"] > 8192 and record["media_type"] == "model"
    assert [name.split(".")[-1] for name in record["modelfile"]["dangerous_globals"]] == ["system"]


def test_numpy_object_arrays_hold_pickles_and_numeric_arrays_do_not(scanned: dict[str, dict[str, Any]]) -> None:
    for name in ("objects.npy", "mixed.npz"):
        assert scanned[name]["media_type"] == "model", name
        assert [glob.split(".")[-1] for glob in scanned[name]["modelfile"]["dangerous_globals"]] == ["system"], name
    assert scanned["numbers.npy"]["media_type"] == "other"
    assert scanned["notes.txt"]["media_type"] == "other"


def test_identification_parses_opcodes_and_never_guesses_from_one_byte() -> None:
    assert is_pickle(pickle.dumps(STATE, protocol=0), whole=True)
    assert is_pickle(pickle.dumps([STATE] * 50, protocol=1)[:4096], whole=False)
    assert not is_pickle(b"cats\nand dogs\n", whole=True)
    assert not is_pickle(b"(not a pickle at all)", whole=True)
    assert not is_pickle(b"I am plain text\n", whole=True)
    assert not is_pickle(pickle.dumps(STATE, protocol=0)[: TRUNCATED_OPCODES // 2], whole=False)
    assert sniff_model(b"N.", whole=True) == "application/x-python-pickle"  # pickle.load(b"N.") is None: a pickle all the same
