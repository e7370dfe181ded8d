"""GGUF (llama.cpp) header metadata: the key-value block before the tensor data.

Written here rather than using the `gguf` package because that reader memory-maps the whole
file and decodes every tensor descriptor, and pulls in requests, PyYAML and tqdm, while
forensics needs only the bounded key-value header (architecture, name, quantisation, and the
`tokenizer.chat_template`). Large arrays (the vocabulary) are skipped, only their length kept.
The metadata is kept as JSON values (scripts read it from the scan output, PostgreSQL stores it).
"""

from __future__ import annotations

import math
import struct
from typing import Any, BinaryIO

from clearsight.errors import ItemError

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_FLOATS = (6, 12)
STRING, ARRAY = 8, 9
MAX_KEYS = 10_000
MAX_ARRAY_KEPT = 16


class _Reader:
    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self.stream, self.left = stream, limit

    def take(self, count: int) -> bytes:
        if count > self.left:
            raise ItemError("GGUF header is larger than the metadata limit (CLEARSIGHT_MAX_MODEL_HEADER_BYTES)")
        data = self.stream.read(count)
        if len(data) < count:
            raise ItemError("GGUF header is truncated")
        self.left -= count
        return data

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        return self.take(self.unpack("<Q")).decode("utf-8", errors="replace")

    def value(self, kind: int) -> Any:
        if kind in _FLOATS:
            number = self.unpack(_SCALARS[kind])
            return number if math.isfinite(number) else str(number)  # NaN and infinity have no JSON form
        if kind in _SCALARS:
            return self.unpack(_SCALARS[kind])
        if kind == STRING:
            return self.string()
        if kind == ARRAY:
            item_kind, count = self.unpack("<I"), self.unpack("<Q")
            if count <= MAX_ARRAY_KEPT:
                return [self.value(item_kind) for _ in range(count)]
            if item_kind in _SCALARS:
                self.take(count * struct.calcsize(_SCALARS[item_kind]))
            else:
                for _ in range(count):
                    self.value(item_kind)
            return {"array_length": count}
        raise ItemError(f"GGUF header has an unknown value type {kind}")


def read_gguf(stream: BinaryIO, max_bytes: int) -> dict[str, Any]:
    """`version`, `tensor_count` and the metadata key-values of a GGUF file."""
    reader = _Reader(stream, max_bytes)
    if reader.take(4) != b"GGUF":
        raise ItemError("not a GGUF file")
    version = reader.unpack("<I")
    if version < 2:
        raise ItemError(f"GGUF version {version} is not supported (2 and later are)")
    tensors, count = reader.unpack("<Q"), reader.unpack("<Q")
    if count > MAX_KEYS:
        raise ItemError(f"GGUF header claims {count:,} metadata keys")
    metadata = {}
    for _ in range(count):
        key = reader.string()
        metadata[key] = reader.value(reader.unpack("<I"))
    return {"version": version, "tensor_count": tensors, "metadata": metadata}
