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
from dataclasses import dataclass, field

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


def _strings(data: bytes) -> list[str]:
    """String constants of the first pickle, read opcode by opcode (`pickletools.genops` only parses)."""
    found: list[str] = []
    try:
        for opcode, argument, _ in pickletools.genops(io.BytesIO(data)):
            if isinstance(argument, str) and "UNICODE" in opcode.name:
                found.append(argument)
                if len(found) >= MAX_KEYS:
                    break
    except _OPCODE_ERRORS:
        pass
    return found


def _pickle_members(data: bytes) -> list[bytes]:
    """The pickles inside: `*/data.pkl` of a PyTorch zip, else the file itself."""
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return [archive.read(name) for name in archive.namelist() if name.endswith(".pkl")]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return []
    return [data]


def scan_pickle(data: bytes, name: str) -> PickleReport:
    report = PickleReport()
    try:
        result = scan_bytes(io.BytesIO(data), name, ".ckpt")
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
    for member in _pickle_members(data):
        report.strings += _strings(member)
    return report
