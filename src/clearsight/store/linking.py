"""Linking images to the model files that made them, by hash or by name.

Hash forms differ by tool: AUTOMATIC1111 writes AutoV2 model hashes and 12-digit LoRA hashes
that are AutoV3 prefixes, Forge writes whole-file SHA-256 prefixes, civitai 10-digit prefixes,
SwarmUI `0x` + full AutoV3, InvokeAI `blake3:` + full BLAKE3. So a reference hash links when it
is a prefix (8 digits or more) of a model file's SHA-256, AutoV3 or BLAKE3, or equals its
AutoV1. A reference without a hash links by name, when the normalised names are equal (no
folders, no extension, any case); one with a hash never does, because a file of that name whose
hashes all differ is another file.

The rules are the store's: it saves every reference and model file under these normalised keys
(`item_model_refs`, `model_names`) and answers links by comparing them, so the keys are made
where they are stored, with nothing imported from the provenance readers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from clearsight.item import ARCHIVE_SEPARATOR

MODEL_EXTENSIONS = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft")
HASH_PREFIXES = ("0x", "blake3:", "sha256:", "autov2:", "autov3:")
MIN_HASH_DIGITS = 8
_HEX = re.compile(r"[0-9a-f]+")


@dataclass(frozen=True)
class ModelRef:
    kind: str
    """`checkpoint` or `lora`."""
    name: str | None
    name_key: str | None
    hash_key: str | None


def name_key(name: str | None) -> str | None:
    """`models/Lora/My_LoRA.safetensors` -> `my_lora`."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lower()
    for extension in MODEL_EXTENSIONS:
        if base.endswith(extension):
            base = base[: -len(extension)]
            break
    return base[:255] or None


def hash_key(value: str | None) -> str | None:
    """A hash as lower-case hex without tool prefixes, if it is long enough to link on."""
    if not value:
        return None
    digest = value.strip().lower()
    for prefix in HASH_PREFIXES:
        digest = digest.removeprefix(prefix)
    return digest[:128] if len(digest) >= MIN_HASH_DIGITS and _HEX.fullmatch(digest) else None


def refs(record: dict[str, Any] | None) -> list[ModelRef]:
    """The checkpoint and LoRAs an image's provenance record names."""
    if not record:
        return []
    out = []
    if record.get("model") or record.get("model_hash"):
        out.append(ModelRef("checkpoint", record.get("model"), name_key(record.get("model")), hash_key(record.get("model_hash"))))
    for lora in record.get("loras") or []:
        out.append(ModelRef("lora", lora.get("name"), name_key(lora.get("name")), hash_key(lora.get("hash"))))
    return out


def model_names(path: str, record: dict[str, Any]) -> set[str]:
    """Names a model file may be referred to by: its file name, kohya's output name, modelspec title."""
    metadata = record.get("metadata") or {}
    names = {path.rsplit(ARCHIVE_SEPARATOR, 1)[-1], metadata.get("ss_output_name"), metadata.get("modelspec.title")}
    return {key for key in map(name_key, filter(None, names)) if key}


def via(ref: ModelRef, by_hash: bool) -> str:
    """How a link was made, as the scan output names it."""
    if ref.kind == "lora":
        return "lora_hash" if by_hash else "lora_name"
    return "model_hash" if by_hash else "model_name"
