"""Recognise AI model files (safetensors, pickles of any protocol, PyTorch zips, NumPy object
arrays, GGUF) by their bytes.

`filetype` knows media and archives but not model formats, and a PyTorch checkpoint saved in
the zip format would otherwise be walked as an ordinary archive. Detection only looks at headers,
parses opcodes and reads the zip directory: nothing here unpickles or loads anything.
"""

from __future__ import annotations

import ast
import io
import pickletools
import re
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


PICKLE_OPENERS = frozenset("(})]ciILFSVNKJMUTXG\x88\x89\x8a\x8c\x8d\x8e\x93\x94\x95")
"""Opcodes a pickle of protocol 0 or 1 (which has no header) can start with: a mark, an empty
container, a global, or a value (`pickletools` names them)."""
TRUNCATED_OPCODES = 32
"""Opcodes parsed without error before the head ends that make a long headerless stream a pickle."""
_IDENTIFIER = re.compile(r"[A-Za-z_][\w.]*")
"""A module or attribute name as a GLOBAL opcode gives it (text that happens to parse as one has spaces)."""
_OPCODE_ERRORS = (ValueError, EOFError, IndexError, KeyError, OverflowError, struct.error, UnicodeDecodeError)


def is_pickle(head: bytes, whole: bool) -> bool:
    """A pickle of any protocol: a protocol 2-5 header, or a headerless (protocol 0 or 1) stream of
    valid opcodes that reaches STOP, that imports a global before it breaks (the unpickler has
    run the import by then), or that parses for TRUNCATED_OPCODES opcodes up to the end of
    `head` when that is not the `whole` file. `torch.load` and `pickle.load` run any of these
    whatever the file is named, so none may pass as `other`."""
    if len(head) >= 2 and head[0] == PICKLE_PROTOCOL_OPCODE and 2 <= head[1] <= 5:
        return True
    if not head or chr(head[0]) not in PICKLE_OPENERS:
        return False
    count = 0
    imports = False
    try:
        for opcode, argument, _ in pickletools.genops(io.BytesIO(head)):
            count += 1
            if opcode.name == "STOP":
                return count >= 2
            imports = imports or (opcode.name in ("GLOBAL", "INST") and _names_a_global(str(argument)))
    except _OPCODE_ERRORS:
        return imports or (not whole and count >= TRUNCATED_OPCODES)
    return False


def _names_a_global(argument: str) -> bool:
    """Whether a GLOBAL's "module name" (as `pickletools` gives it) is two Python names."""
    parts = argument.split(" ")
    return len(parts) == 2 and all(_IDENTIFIER.fullmatch(part) for part in parts)


NPY_MAGIC = b"\x93NUMPY"
MAX_NPY_HEADER = 64 * 1024
"""NumPy writes headers of a few hundred bytes; a longer one is no array header."""


def npy_header(head: bytes) -> tuple[dict[str, object], int] | None:
    """The header dict of a `.npy` array and the offset of its data, None when `head` is no npy
    (the header is a Python literal: read with `ast.literal_eval`, which evaluates nothing)."""
    if not head.startswith(NPY_MAGIC) or len(head) < 10:
        return None
    width = 2 if head[6] == 1 else 4
    (length,) = struct.unpack("<H" if width == 2 else "<I", head[8 : 8 + width].ljust(width, b"\0"))
    start = 8 + width
    if length > MAX_NPY_HEADER:
        return None
    try:
        header = ast.literal_eval(head[start : start + length].decode("latin-1"))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return (header, start + length) if isinstance(header, dict) else None


def is_object_npy(head: bytes) -> bool:
    """A `.npy` array of Python objects, whose data is a pickle (`numpy.load(allow_pickle=True)` runs it)."""
    found = npy_header(head)
    return found is not None and "O" in str(found[0].get("descr", ""))


def pickle_zip_kind(stream: BinaryIO) -> str | None:
    """The MIME-like label of a zip that holds pickles as a unit: PyTorch's (members include
    `<name>/data.pkl`, the format of `torch.save` since 1.6) or NumPy's `.npz` (every member an
    `.npy`); None for other zips, which are walked as archives."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if any(name.endswith("/data.pkl") or name == "data.pkl" for name in names):
        return "application/vnd.pytorch+zip"
    if names and all(name.endswith(".npy") for name in names):
        return "application/x-npz"
    return None


def sniff_model(head: bytes, whole: bool) -> str | None:
    """The MIME-like label of a model file recognisable from its first bytes (`whole` when they are
    the whole file), else None."""
    if is_safetensors(head):
        return "application/vnd.safetensors"
    if is_gguf(head):
        return "application/vnd.gguf"
    if head.startswith(NPY_MAGIC):
        return "application/x-npy" if is_object_npy(head) else None
    if is_pickle(head, whole):
        return "application/x-python-pickle"
    return None
