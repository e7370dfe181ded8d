"""Recognise AI model files (safetensors, PyTorch pickles and zips, GGUF) by their bytes.

`filetype` knows media and archives but not model formats, and a PyTorch checkpoint saved in
the zip format would otherwise be walked as an ordinary archive. Detection only looks at headers
and the zip directory: nothing here unpickles or loads anything.
"""

from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

SAFETENSORS_MAX_HEADER = 100 * 1024 * 1024
PICKLE_PROTOCOL_OPCODE = 0x80


def is_safetensors(head: bytes) -> bool:
    """An 8-byte little-endian header length followed by a JSON object."""
    if len(head) < 10:
        return False
    (length,) = struct.unpack("<Q", head[:8])
    return 2 <= length <= SAFETENSORS_MAX_HEADER and head[8:9] == b"{"


def is_gguf(head: bytes) -> bool:
    """GGUF files (llama.cpp and friends) start with the ASCII magic `GGUF`."""
    return head[:4] == b"GGUF"


def is_pickle(head: bytes) -> bool:
    """A raw pickle with an explicit protocol 2-5 header, as legacy `torch.save` writes."""
    return len(head) >= 2 and head[0] == PICKLE_PROTOCOL_OPCODE and 2 <= head[1] <= 5


def is_torch_zip(stream: BinaryIO) -> bool:
    """A zip whose members include `<name>/data.pkl`: the format of `torch.save` since 1.6."""
    try:
        with zipfile.ZipFile(stream) as archive:
            return any(name.endswith("/data.pkl") or name == "data.pkl" for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def sniff_model(head: bytes) -> str | None:
    """The MIME-like label of a model file recognisable from its first bytes, else None."""
    if is_safetensors(head):
        return "application/vnd.safetensors"
    if is_gguf(head):
        return "application/vnd.gguf"
    if is_pickle(head):
        return "application/x-python-pickle"
    return None
