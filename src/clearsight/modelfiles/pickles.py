"""Pickle-based model files (.ckpt, .pt, .bin; raw pickles of any protocol, PyTorch's zip layout,
NumPy object arrays `.npy` and `.npz`), analysed statically: nothing is ever unpickled.

The opcodes are walked one at a time (`pickletools.genops` only parses) as a stream, keeping only
what the verdict needs: the globals the pickle would import, a bounded memo of the strings
`STACK_GLOBAL` may name, the state-dict keys that tell the model's kind, and counters. Each global
is rated by picklescan's own lists (innocuous, suspicious, dangerous: `os.system`,
`builtins.eval`, `subprocess`...); a seized model carrying a dangerous import may be a trap for
the examiner, so it is flagged. picklescan's own scanner is not used because it holds every
opcode of a file in memory and reads PyTorch zip members outside any archive limit.

Bounded throughout: `max_pickle_bytes` of pickle stream per raw file or zip member, zip members
read as streams and charged to the archive limits of `intake.archives`. A pickle cut short by a
limit is flagged unsafe: what was not read could import anything.
"""

from __future__ import annotations

import io
import logging
import pickletools
import struct
import zipfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO

from picklescan.scanner import SafetyLevel, _build_scan_result_from_raw_globals

from clearsight.config import Limits
from clearsight.errors import ItemError
from clearsight.intake.archives import Budget, MemberMeter, check_member_count, check_no_overlap, raw_member
from clearsight.media.modelfiles import MAX_NPY_HEADER, NPY_MAGIC, npy_header

MAX_KEYS = 20_000
"""String constants kept per file for recognising the model kind."""
MAX_KEY_CHARS = 1024
"""Longer strings are no state-dict key and are not kept."""
MAX_MEMO_CHARS = 16 * 1024 * 1024
"""Characters of memoised strings kept for resolving `STACK_GLOBAL`; past it a lookup is `unknown` (dangerous)."""
MAX_GLOBALS = 10_000
"""Distinct globals listed per file; a file importing more is no model and is not scanned further."""
METER_STEP = 64 * 1024
"""Zip-member bytes are charged to the archive limits in steps of this, not opcode by opcode."""
UNKNOWN = "unknown"
"""picklescan's name for a module or attribute that cannot be told statically; rated dangerous."""

_OPCODE_ERRORS = (ValueError, EOFError, IndexError, KeyError, OverflowError, struct.error)
"""What `pickletools.genops` raises on bytes that are no (complete) pickle."""
_MEMO_PUTS = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
_MEMO_GETS = frozenset({"GET", "BINGET", "LONG_BINGET"})
_STRINGS = frozenset({"SHORT_BINUNICODE", "UNICODE", "BINUNICODE", "BINUNICODE8", "STRING", "BINSTRING", "SHORT_BINSTRING"})
_PLAIN = frozenset(opcode.name for opcode in pickletools.opcodes) - _STRINGS - _MEMO_PUTS - _MEMO_GETS - {"MEMOIZE", "GLOBAL", "INST", "STACK_GLOBAL"}
"""Opcodes whose only trace is an `unknown` value for a following `STACK_GLOBAL` (the hot path)."""

logging.getLogger("picklescan").setLevel(logging.ERROR)  # it logs file names at WARNING for every dangerous global


class _Limit(Exception):
    """The scan reached a limit; the message says which."""


@dataclass
class PickleReport:
    dangerous: list[str] = field(default_factory=list)
    suspicious: list[str] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    error: str | None = None
    incomplete: bool = False
    """A limit stopped the scan: the rest of the pickle was not examined."""


class _Bounded:
    """A stream that refuses to read past `limit` bytes (and charges a zip member's meter), with
    one byte of look-ahead to tell where the pickles end."""

    def __init__(self, stream: IO[bytes], limit: int, meter: MemberMeter | None) -> None:
        self.stream, self.limit, self.left, self.meter = stream, limit, limit, meter
        self.pending = b""
        self.uncharged = 0

    def _over(self) -> _Limit:
        return _Limit(f"the pickle stream goes past {self.limit:,} bytes (CLEARSIGHT_MAX_PICKLE_BYTES); the rest was not scanned")

    def _take(self, data: bytes) -> bytes:
        self.left -= len(data)
        self.uncharged += len(data)
        if self.meter is not None and (self.uncharged >= METER_STEP or not data):
            try:
                self.meter.charge(self.uncharged)
            except ItemError as exc:
                raise _Limit(str(exc)) from None
            self.uncharged = 0
        return data

    def read(self, size: int = -1) -> bytes:
        if size == 1 and not self.pending and self.left:  # most opcodes: the hot path
            return self._take(self.stream.read(1))
        head = self.pending
        if size < 0 or size - len(head) > self.left:
            raise self._over()
        self.pending = head[size:]
        if size <= len(head):
            return head[:size]
        return head + self._take(self.stream.read(size - len(head)))

    def readline(self, size: int = -1) -> bytes:
        head, self.pending = self.pending, b""
        if head == b"\n":
            return head
        line = self.stream.readline(self.left + 1)
        if len(line) > self.left:
            raise self._over()
        return head + self._take(line)

    def at_end(self) -> bool:
        if self.pending:
            return False
        if not self.left:
            if self.stream.read(1):
                raise self._over()
            return True
        self.pending = self._take(self.stream.read(1))
        return not self.pending


class _Walker:
    """What one file's opcodes have shown so far, in bounded memory."""

    def __init__(self) -> None:
        self.globals: set[tuple[str, str]] = set()
        self.strings: list[str] = []
        self.memo: dict[int, str] = {}
        self.memo_chars = 0
        self.memo_next = 0
        self.recent: deque[str] = deque(maxlen=2)
        """The values of the last two opcodes other than memo stores: what `STACK_GLOBAL` imports."""
        self.previous: tuple[str, Any] = ("", None)
        self.opcodes = 0

    def step(self, name: str, argument: Any) -> None:
        self.opcodes += 1
        if name in _PLAIN:
            self.recent.append(UNKNOWN)
        elif name == "MEMOIZE":
            self._remember(self.memo_next)
            self.memo_next += 1
        elif name in _MEMO_PUTS and isinstance(argument, int):
            self._remember(argument)
            self.memo_next = max(self.memo_next, argument + 1)
        else:
            if name in ("GLOBAL", "INST"):
                module, _, attribute = str(argument).partition(" ")
                self._import(module, attribute)
            elif name == "STACK_GLOBAL":
                self._import(*(self.recent if len(self.recent) == 2 else (UNKNOWN, UNKNOWN)))
            self.recent.append(self._value(name, argument))
            if "UNICODE" in name and isinstance(argument, str) and len(argument) <= MAX_KEY_CHARS and len(self.strings) < MAX_KEYS:
                self.strings.append(argument)
        self.previous = (name, argument)

    def _value(self, name: str, argument: Any) -> str:
        if name in _STRINGS and isinstance(argument, str):
            return argument
        if name in _MEMO_GETS and isinstance(argument, int):
            return self.memo.get(argument, UNKNOWN)
        return UNKNOWN

    def _remember(self, key: int) -> None:
        """Memoise the previous opcode's string; any other value is not needed (a lookup of it is `unknown`)."""
        self.memo_chars -= len(self.memo.pop(key, ""))
        name, argument = self.previous
        if name in _STRINGS and isinstance(argument, str) and self.memo_chars + len(argument) <= MAX_MEMO_CHARS:
            self.memo[key] = argument
            self.memo_chars += len(argument)

    def _import(self, module: str, attribute: str) -> None:
        self.globals.add((module, attribute))
        if len(self.globals) > MAX_GLOBALS:
            raise _Limit(f"more than {MAX_GLOBALS:,} distinct globals: no model file; the rest was not scanned")


def _walk(stream: _Bounded, walker: _Walker) -> str | None:
    """Walk the pickles one after another to the end of the stream; why the walk stopped early, else None.

    Bytes that are no pickle after a complete one end the walk quietly: legacy `torch.save`
    files put raw tensor data after their pickles, and no unpickler reads past such bytes either.
    """
    complete = 0
    while not stream.at_end():
        try:
            for opcode, argument, _ in pickletools.genops(stream):  # type: ignore[arg-type]  # genops needs only read and readline
                walker.step(opcode.name, argument)
        except _OPCODE_ERRORS as exc:
            if complete:
                return None
            return f"the pickle stream is malformed ({exc}); what could be parsed was scanned" if walker.opcodes else "not a pickle stream"
        complete += 1
    return None


def _at_npy_pickle(stream: IO[bytes]) -> bool:
    """Read past a `.npy` header; whether the data that follows is a pickle (an object array)."""
    start = stream.read(len(NPY_MAGIC) + 2)  # the magic, then the format's major and minor version
    if len(start) < len(NPY_MAGIC) + 2 or not start.startswith(NPY_MAGIC):
        return False
    width = 2 if start[6] == 1 else 4
    size = stream.read(width)
    if len(size) < width:
        return False
    (length,) = struct.unpack("<H" if width == 2 else "<I", size)
    if length > MAX_NPY_HEADER:
        return False
    found = npy_header(start + size + stream.read(length))
    return found is not None and "O" in str(found[0].get("descr", ""))


def _walk_member(member: IO[bytes], info: zipfile.ZipInfo, limits: Limits, budget: Budget, walker: _Walker) -> str | None:
    """Walk one zip member's pickle (past its header for a `.npy`, none for a numeric array)."""
    bounded = _Bounded(member, limits.max_pickle_bytes, MemberMeter(budget, info.compress_size))
    if info.filename.endswith(".npy") and not _at_npy_pickle(bounded):  # type: ignore[arg-type]  # read is all it needs
        return None
    return _walk(bounded, walker)


def _is_zip(open_stream: Callable[[], BinaryIO]) -> bool:
    with open_stream() as stream:
        return stream.read(4) == b"PK\x03\x04"


def _walk_zip(open_stream: Callable[[], BinaryIO], limits: Limits, walker: _Walker) -> str | None:
    """Walk every `.pkl` member of a PyTorch zip (`data.pkl`; TorchScript's `constants.pkl`) and the
    pickle of every object-array `.npy` member (NumPy's `.npz`), each as a stream."""
    budget = Budget(limits)
    with open_stream() as raw:
        try:
            archive = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            return f"zip archive cannot be read: {exc}"
        with archive:
            infos = [info for info in archive.infolist() if info.filename.endswith((".pkl", ".npy"))]
            try:
                check_member_count(len(archive.infolist()), limits)
                check_no_overlap(archive.infolist(), raw)
            except ItemError as exc:
                raise _Limit(str(exc)) from None
            for info in infos:
                try:
                    with archive.open(info) as member:
                        problem = _walk_member(member, info, limits, budget, walker)
                except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError) as exc:
                    # A bad CRC, a local name unlike the directory's, a false encryption flag: zipfile
                    # stops, loaders do not. Read it from its local header (no check) and scan that.
                    try:
                        data = raw_member(raw, info, MemberMeter(budget, info.compress_size))
                    except ItemError as unread:
                        raise _Limit(f"{info.filename}: member cannot be read ({unread}); what it holds was not examined") from None
                    problem = _walk_member(io.BytesIO(data), info, limits, budget, walker) or f"damaged member ({exc}), read from its local header"
                if problem:
                    return f"{info.filename}: {problem}"
    return None


def scan_pickle(open_stream: Callable[[], BinaryIO], limits: Limits) -> PickleReport:
    """Scan a pickle model file read from fresh streams, raw or a PyTorch zip; never raises for its content."""
    walker = _Walker()
    report = PickleReport()
    try:
        if _is_zip(open_stream):
            report.error = _walk_zip(open_stream, limits, walker)
        else:
            with open_stream() as stream:
                bounded = _Bounded(stream, limits.max_pickle_bytes, None)
                if stream.read(len(NPY_MAGIC)) == NPY_MAGIC:
                    stream.seek(0)
                    _at_npy_pickle(bounded)  # type: ignore[arg-type]  # read is all it needs
                else:
                    stream.seek(0)
                report.error = _walk(bounded, walker)
    except _Limit as exc:
        report.error, report.incomplete = str(exc), True
    rated = _build_scan_result_from_raw_globals(walker.globals, "model file")
    report.dangerous = sorted({f"{item.module}.{item.name}" for item in rated.globals if item.safety == SafetyLevel.Dangerous})
    report.suspicious = sorted({f"{item.module}.{item.name}" for item in rated.globals if item.safety == SafetyLevel.Suspicious})
    report.strings = walker.strings
    return report
