"""Read the members of 7z archives in memory (py7zr), under the bounds of every archive.

7z is a common way to ship model files and collections. Members are decompressed through a
writer that keeps bytes in memory and charges each write to the member, ratio and archive
limits of `intake.archives`, so a 7z bomb stops at the first limit it breaks; nothing is
written to disk. Encrypted archives are refused as a whole (there is no key to try).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC
from typing import Any, BinaryIO

import py7zr
from py7zr import Py7zIO, WriterFactory

from clearsight.errors import ItemError, reason
from clearsight.intake.archives import ArchiveRatio, Budget, Member, MemberMeter, check_member_count, unsafe_name_reason


class _BoundedMemory(Py7zIO):
    """One member's bytes in memory, each write charged to its meter."""

    def __init__(self, meter: MemberMeter) -> None:
        self.meter = meter
        self.buffer = io.BytesIO()

    def write(self, data: bytes | bytearray) -> int:
        self.meter.charge(len(data))
        return self.buffer.write(data)

    def read(self, size: int | None = None) -> bytes:
        return self.buffer.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.buffer.seek(offset, whence)

    def flush(self) -> None:
        """Nothing to flush: the bytes stay in memory."""

    def size(self) -> int:
        return len(self.buffer.getbuffer())


class _Writers(WriterFactory):
    def __init__(self, budget: Budget, ratio: ArchiveRatio) -> None:
        self.budget, self.ratio = budget, ratio
        self.files: dict[str, _BoundedMemory] = {}

    def create(self, filename: str) -> Py7zIO:
        self.files[filename] = _BoundedMemory(MemberMeter(self.budget, None, self.ratio))
        return self.files[filename]


def _mtime_ns(info: Any) -> int:
    stamp = getattr(info, "creationtime", None)
    try:
        return int(stamp.replace(tzinfo=stamp.tzinfo or UTC).timestamp() * 1e9) if stamp else 0
    except (ValueError, OverflowError, AttributeError):
        return 0


def sevenzip_members(stream: BinaryIO, budget: Budget) -> Iterator[Member]:
    """Members of a 7z archive; ItemError when it cannot be opened or a whole-archive limit breaks."""
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    try:
        archive = py7zr.SevenZipFile(stream, mode="r")
    except Exception as exc:  # noqa: BLE001 - Bad7zFile, unsupported methods, damaged headers: all this archive's
        raise ItemError(f"7z archive cannot be read: {reason(exc)}") from None
    with archive:
        if archive.needs_password():
            raise ItemError("encrypted 7z archive; not opened")
        infos = [info for info in archive.list() if not info.is_directory]
        check_member_count(len(infos), budget.limits)
        writers = _Writers(budget, ArchiveRatio(compressed_size=size))
        wanted = [info.filename for info in infos if unsafe_name_reason(info.filename) is None]
        failure: str | None = None
        try:
            archive.extract(targets=wanted, factory=writers)
        except ItemError as exc:
            failure = str(exc)
        except Exception as exc:  # noqa: BLE001 - each decompressor has its own errors: they are this archive's
            failure = f"7z archive cannot be decompressed: {reason(exc)}"
    for info in infos:
        refused = unsafe_name_reason(info.filename)
        written = writers.files.get(info.filename)
        if refused:
            yield Member(info.filename, info.uncompressed, _mtime_ns(info), error=refused)
        elif written is not None and failure is None:
            yield Member(info.filename, info.uncompressed, _mtime_ns(info), data=written.buffer.getvalue())
        else:
            yield Member(info.filename, info.uncompressed, _mtime_ns(info), error=failure or "member not found in the archive's streams")
