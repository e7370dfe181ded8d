"""Pickle-based model files (.ckpt, .pt, .bin; raw pickles and PyTorch's zip layout), analysed
statically: nothing is ever unpickled.

picklescan walks the opcodes and lists every global the pickle would import, rating each
innocuous, suspicious or dangerous (`os.system`, `builtins.eval`, `subprocess`...). A seized
model carrying a dangerous import may be a trap for the examiner, so it is flagged. The string
constants the opcodes carry (the state-dict keys) tell what kind of model it is.
"""

from __future__ import annotations

import io
import logging
import pickletools
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from picklescan.scanner import SafetyLevel, scan_bytes

MAX_KEYS = 20_000
"""String constants kept per pickle for recognising the model kind."""
_OPCODE_ERRORS = (ValueError, EOFError, UnicodeDecodeError, IndexError, KeyError, OverflowError, MemoryError)

logging.getLogger("picklescan").setLevel(logging.ERROR)  # it logs file names at WARNING for every odd file


@dataclass
class PickleReport:
    dangerous: list[str] = field(default_factory=list)
    suspicious: list[str] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    error: str | None = None


def _strings(stream: BinaryIO) -> list[str]:
    """String constants of the first pickle, read opcode by opcode (`pickletools.genops` only parses)."""
    found: list[str] = []
    try:
        for opcode, argument, _ in pickletools.genops(stream):
            if isinstance(argument, str) and "UNICODE" in opcode.name:
                found.append(argument)
                if len(found) >= MAX_KEYS:
                    break
    except _OPCODE_ERRORS:
        pass
    return found


def _member_strings(open_stream: Callable[[], BinaryIO]) -> list[str]:
    """String constants of the pickles inside: `*/data.pkl` of a PyTorch zip, else the file's first."""
    with open_stream() as stream:
        if stream.read(2) != b"PK":
            stream.seek(0)
            return _strings(stream)
        stream.seek(0)
        try:
            with zipfile.ZipFile(stream) as archive:
                return [key for name in archive.namelist() if name.endswith(".pkl") for key in _strings(io.BytesIO(archive.read(name)))]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return []


def scan_pickle(open_stream: Callable[[], BinaryIO], name: str) -> PickleReport:
    """Scan a pickle model file read from fresh streams (large checkpoints are never read whole)."""
    report = PickleReport()
    try:
        with open_stream() as stream:
            result = scan_bytes(stream, name, ".ckpt")
    except Exception as exc:  # noqa: BLE001 - picklescan raises its own and stdlib errors on malformed input
        report.error = f"{type(exc).__name__}: {exc}"
        result = None
    if result is not None:
        for item in result.globals:
            label = f"{item.module}.{item.name}"
            if item.safety == SafetyLevel.Dangerous:
                report.dangerous.append(label)
            elif item.safety == SafetyLevel.Suspicious:
                report.suspicious.append(label)
        if result.scan_err:
            report.error = "the pickle stream is malformed; what could be parsed was scanned"
    report.dangerous = sorted(set(report.dangerous))
    report.suspicious = sorted(set(report.suspicious))
    report.strings = _member_strings(open_stream)
    return report
