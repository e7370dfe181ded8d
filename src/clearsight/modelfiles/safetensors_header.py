"""The safetensors header: an 8-byte little-endian length, then that much JSON, then tensors.

Only the header is read (bounded by `max_model_header_bytes`), never the tensors. It names every
tensor, which tells a LoRA from a checkpoint or an embedding, and its `__metadata__` holds the
training record kohya-ss scripts write (`ss_*`) and the `modelspec.*` fields.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

from clearsight.errors import ItemError

KOHYA_SUMMARY = (
    "ss_output_name", "ss_sd_model_name", "ss_base_model_version", "ss_network_module", "ss_network_dim", "ss_network_alpha",
    "ss_num_train_images", "ss_num_reg_images", "ss_num_epochs", "ss_training_started_at", "ss_training_finished_at",
    "ss_new_sd_model_hash", "ss_sd_model_hash", "sshs_model_hash", "sshs_legacy_hash", "ss_resolution", "ss_learning_rate",
)
JSON_KEYS = ("ss_tag_frequency", "ss_dataset_dirs", "ss_datasets", "ss_bucket_info")
"""kohya writes these as JSON inside the string value; they are decoded to show the dataset."""


@dataclass
class Header:
    tensor_offset: int
    tensor_names: list[str]
    metadata: dict[str, str]


def read_header(stream: BinaryIO, size: int, max_bytes: int) -> Header:
    raw_length = stream.read(8)
    if len(raw_length) < 8:
        raise ItemError("safetensors file is shorter than its 8-byte header length")
    (length,) = struct.unpack("<Q", raw_length)
    if length > max_bytes:
        raise ItemError(f"safetensors header claims {length:,} bytes, over the limit of {max_bytes:,} (CLEARSIGHT_MAX_MODEL_HEADER_BYTES)")
    if 8 + length > size:
        raise ItemError(f"safetensors header claims {length:,} bytes but the file has {size - 8:,} after the length")
    try:
        header = json.loads(stream.read(length))
    except (ValueError, RecursionError) as exc:
        raise ItemError(f"safetensors header is not valid JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ItemError("safetensors header is not a JSON object")
    metadata = header.pop("__metadata__", None)
    if not isinstance(metadata, dict):
        metadata = {}
    return Header(8 + length, list(header), {str(key): value if isinstance(value, str) else json.dumps(value) for key, value in metadata.items()})


def kind_of(tensor_names: list[str], metadata: dict[str, str]) -> str:
    """lora, checkpoint, embedding or other, from tensor (or state-dict key) names and training metadata."""
    names = " ".join(tensor_names[:5000])
    if "ss_network_module" in metadata or any(marker in names for marker in ("lora_up", "lora_down", "lora.up", "lora.down", "lora_A", "lora_B", "lokr_", "hada_")):
        return "lora"
    if any(marker in names for marker in ("model.diffusion_model.", "double_blocks.", "joint_blocks.", "transformer_blocks.", "model.layers.", "down_blocks.")):
        return "checkpoint"
    if any(marker in names for marker in ("emb_params", "string_to_param")) or (len(tensor_names) <= 4 and any(n in ("clip_l", "clip_g") for n in tensor_names)):
        return "embedding"
    return "other"


def summary(metadata: dict[str, str]) -> dict[str, Any]:
    """The metadata worth showing: kohya's training record, modelspec, datasets decoded."""
    out: dict[str, Any] = {key: metadata[key] for key in KOHYA_SUMMARY if key in metadata}
    out |= {key: value for key, value in metadata.items() if key.startswith("modelspec.") and key != "modelspec.thumbnail"}
    for key in JSON_KEYS:
        if key in metadata:
            try:
                out[key] = json.loads(metadata[key])
            except (ValueError, RecursionError):
                out[key] = metadata[key]
    return out
