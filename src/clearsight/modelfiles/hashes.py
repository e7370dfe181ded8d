"""The hashes the image-generation ecosystem identifies model files by, in one read of the file.

- `sha256`: the whole file (civitai's "SHA256"; AUTOMATIC1111's full hash).
- `autov1`: legacy AUTOMATIC1111 `model_hash`: SHA-256 of the 64 KiB at offset 1 MiB, 8 hex digits.
- `autov2`: the first 10 hex digits of `sha256` (AUTOMATIC1111's `Model hash` since 2022).
- `autov3`: SHA-256 of the bytes after the safetensors header (kohya's `sshs_model_hash`, the
  LoRA hash AUTOMATIC1111 writes, SwarmUI's `0x` hashes); safetensors only, as the full digest.
- `blake3`: the whole file (InvokeAI's `blake3:` model hashes).
"""

from __future__ import annotations

import hashlib
from typing import BinaryIO

import blake3

CHUNK = 4 * 1024 * 1024
AUTOV1_OFFSET = 0x100000
AUTOV1_LENGTH = 0x10000


def model_hashes(stream: BinaryIO, tensor_offset: int | None) -> dict[str, str | None]:
    """All hashes of a model file; `tensor_offset` (where safetensors data starts) enables AutoV3."""
    whole = hashlib.sha256()
    tail = hashlib.sha256() if tensor_offset is not None else None
    legacy = hashlib.sha256()
    b3 = blake3.blake3()
    position = 0
    while chunk := stream.read(CHUNK):
        whole.update(chunk)
        b3.update(chunk)
        end = position + len(chunk)
        if tail is not None and tensor_offset is not None and end > tensor_offset:
            tail.update(chunk[max(0, tensor_offset - position) :])
        if end > AUTOV1_OFFSET and position < AUTOV1_OFFSET + AUTOV1_LENGTH:
            legacy.update(chunk[max(0, AUTOV1_OFFSET - position) : AUTOV1_OFFSET + AUTOV1_LENGTH - position])
        position = end
    sha256 = whole.hexdigest()
    return {
        "sha256": sha256,
        "autov1": legacy.hexdigest()[:8] if position > AUTOV1_OFFSET else None,
        "autov2": sha256[:10],
        "autov3": tail.hexdigest() if tail is not None else None,
        "blake3": b3.hexdigest(),
    }
