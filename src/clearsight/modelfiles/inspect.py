"""The model-file stage: format, kind, hashes, metadata and pickle safety of one model file.

Produces the `modelfile` record of the scan output. Every reader here is bounded and static:
safetensors and GGUF headers are parsed as data, pickles are only walked opcode by opcode.
"""

from __future__ import annotations

from typing import Any

from clearsight.config import Settings
from clearsight.errors import ItemError
from clearsight.item import Item
from clearsight.modelfiles.gguf_header import read_gguf
from clearsight.modelfiles.hashes import model_hashes
from clearsight.modelfiles.pickles import scan_pickle
from clearsight.modelfiles.safetensors_header import kind_of, read_header, summary
from clearsight.sensitive import is_sensitive_metadata

FORMAT_BY_MIME = {
    "application/vnd.safetensors": "safetensors",
    "application/vnd.gguf": "gguf",
    "application/x-python-pickle": "pickle",
    "application/vnd.pytorch+zip": "pickle",
    "application/x-npy": "pickle",
    "application/x-npz": "pickle",
}


def _safetensors(item: Item, settings: Settings) -> dict[str, Any]:
    with item.open() as stream:
        header = read_header(stream, item.result.size, settings.limits.max_model_header_bytes)
        stream.seek(0)
        hashes = model_hashes(stream, header.tensor_offset)
    metadata = summary(header.metadata)
    autov3 = hashes["autov3"]
    if "sshs_model_hash" in header.metadata and autov3:
        metadata["sshs_model_hash_matches"] = header.metadata["sshs_model_hash"].lower() == autov3
    metadata["tensor_count"] = len(header.tensor_names)
    return {"format": "safetensors", "kind": kind_of(header.tensor_names, header.metadata), "hashes": hashes, "metadata": metadata,
            "unsafe_pickle": False, "dangerous_globals": []}


def _pickle(item: Item, settings: Settings) -> dict[str, Any]:
    report = scan_pickle(item.open, settings.limits)
    with item.open() as stream:
        hashes = model_hashes(stream, None)
    metadata: dict[str, Any] = {"suspicious_globals": report.suspicious}
    if report.error:
        metadata["scan_error"] = report.error
    return {"format": "pickle", "kind": kind_of(report.strings, {}), "hashes": hashes, "metadata": metadata,
            "unsafe_pickle": bool(report.dangerous) or report.incomplete, "dangerous_globals": report.dangerous}


def _gguf(item: Item, settings: Settings) -> dict[str, Any]:
    with item.open() as stream:
        header = read_gguf(stream, settings.limits.max_model_header_bytes)
        stream.seek(0)
        hashes = model_hashes(stream, None)
    return {"format": "gguf", "kind": "other", "hashes": hashes, "metadata": header, "unsafe_pickle": False, "dangerous_globals": []}


READERS = {"safetensors": _safetensors, "pickle": _pickle, "gguf": _gguf}


def inspect_model(item: Item, settings: Settings) -> None:
    """Pipeline stage: attach the `modelfile` record to model items."""
    if item.result.media_type != "model":
        return
    fmt = FORMAT_BY_MIME.get(item.result.mime or "")
    if fmt is None:
        raise ItemError(f"model format {item.result.mime} is not inspected")
    item.result.modelfile = READERS[fmt](item, settings)


def public(record: dict[str, Any], show_sensitive: bool = False) -> dict[str, Any]:
    """A stored record as it may be printed, training text hidden unless asked for (`sensitive`)."""
    if show_sensitive:
        return record
    metadata = record.get("metadata") or {}
    hidden = sorted(key for key in metadata if is_sensitive_metadata(key))
    if not hidden:
        return record
    return record | {"metadata": {key: value for key, value in metadata.items() if key not in hidden}, "hidden": hidden}
