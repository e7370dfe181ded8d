"""Read the members of zip, tar and 7z archives (and single gzip/bzip2/xz streams) in memory.

Nothing is ever extracted to disk, so a `../` member name cannot write anywhere; such names are
still refused as per-member errors, because a name that tries to escape is itself a sign of a
hostile archive and the examiner should see it. Every read is bounded: members per archive,
bytes per member, bytes per top-level archive (nested members included) and, for zips, the
compression ratio of each member and of the whole archive, so a zip bomb costs a little CPU and
yields an error, not an outage. Zips whose entries share compressed bytes (D. Fifield's
overlapping-entry bomb, where every member is the same 1 GiB kernel and no one member's ratio
looks wrong) are refused before anything is inflated: a genuine zip never overlaps.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import posixpath
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, BinaryIO

from clearsight.config import Limits
from clearsight.errors import ItemError, reason

CHUNK_BYTES = 1024 * 1024
RATIO_GRACE_BYTES = 1024 * 1024
LOCAL_HEADER_BYTES = 30
"""A zip local file header's fixed part, before the name and extra field."""
"""Small members may compress extremely well (an empty-ish text file); only judge the ratio past this."""


@dataclass
class Member:
    """One archive member: its name and bytes, or why it was not read."""

    name: str
    size: int
    mtime_ns: int
    data: bytes | None = None
    error: str | None = None


class Budget:
    """Decompressed bytes left for one top-level archive and everything nested inside it."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.remaining = limits.max_archive_bytes

    def take(self, count: int) -> None:
        self.remaining -= count
        if self.remaining < 0:
            raise ItemError(
                f"archive expands past {self.limits.max_archive_bytes} bytes "
                "(CLEARSIGHT_MAX_ARCHIVE_BYTES); the rest is not read"
            )


def unsafe_name_reason(name: str) -> str | None:
    """Why a member name is refused (absolute, drive-qualified or escaping with `..`), else None."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return f"unsafe archive member name {name!r} (absolute path); not read"
    if ".." in normalised.split("/"):
        return f"unsafe archive member name {name!r} (path traversal); not read"
    return None


def _over_ratio(expanded: int, compressed: int, limits: Limits) -> bool:
    return expanded > RATIO_GRACE_BYTES and expanded > limits.max_compression_ratio * max(compressed, 1)


@dataclass
class ArchiveRatio:
    """One zip's decompressed bytes so far against its own size on disk (the ratio of the whole)."""

    compressed_size: int
    expanded: int = 0
    broken: bool = False


class MemberMeter:
    """Counts one member's decompressed bytes against the member, ratio and archive limits, for
    every reader of archive members (this module's, and the pickle scan's streamed zip members)."""

    def __init__(self, budget: Budget, compressed_size: int | None, archive: ArchiveRatio | None = None) -> None:
        self.budget, self.compressed_size, self.archive, self.total = budget, compressed_size, archive, 0

    def charge(self, count: int) -> None:
        """Account for `count` more bytes read; ItemError at the first limit they break."""
        limits = self.budget.limits
        self.total += count
        if self.total > limits.max_member_bytes:
            raise ItemError(f"member expands past {limits.max_member_bytes} bytes (CLEARSIGHT_MAX_MEMBER_BYTES); not read")
        if self.compressed_size is not None and _over_ratio(self.total, self.compressed_size, limits):
            raise ItemError(
                f"member expands more than {limits.max_compression_ratio}:1 "
                "(CLEARSIGHT_MAX_COMPRESSION_RATIO): a likely zip bomb; not read"
            )
        if self.archive is not None:
            self.archive.expanded += count
            if _over_ratio(self.archive.expanded, self.archive.compressed_size, limits):
                self.archive.broken = True
                raise ItemError(f"the archive as a whole expands more than {limits.max_compression_ratio}:1 "
                                "(CLEARSIGHT_MAX_COMPRESSION_RATIO): a likely zip bomb; not read")
        self.budget.take(count)


def _read_bounded(stream: IO[bytes] | io.BufferedIOBase, budget: Budget, compressed_size: int | None, archive: ArchiveRatio | None = None) -> bytes:
    """Read a member fully, stopping at the first limit it breaks."""
    meter = MemberMeter(budget, compressed_size, archive)
    chunks: list[bytes] = []
    while chunk := stream.read(CHUNK_BYTES):
        meter.charge(len(chunk))
        chunks.append(chunk)
    return b"".join(chunks)


def _member(name: str, size: int, mtime_ns: int, read: Callable[[], bytes]) -> Member:
    """A member with its bytes, or with the error that reading them raised."""
    refused = unsafe_name_reason(name)
    if refused:
        return Member(name, size, mtime_ns, error=refused)
    try:
        return Member(name, size, mtime_ns, data=read())
    except ItemError as exc:
        return Member(name, size, mtime_ns, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - each decompressor has its own errors (zlib.error, LZMAError, OSError, ...): all are this member's
        return Member(name, size, mtime_ns, error=f"member cannot be read: {reason(exc)}")


def check_no_overlap(infos: list[zipfile.ZipInfo], stream: BinaryIO) -> None:
    """ItemError when two entries' local headers and compressed data share bytes. Each entry's
    extent is read from its own local header (name and extra lengths), 30 bytes per entry."""
    spans = []
    for info in infos:
        stream.seek(info.header_offset)
        header = stream.read(LOCAL_HEADER_BYTES)
        if len(header) < LOCAL_HEADER_BYTES:
            raise ItemError(f"zip entry {info.orig_filename!r} points past the end of the file; not opened")
        name_length, extra_length = struct.unpack_from("<HH", header, 26)
        spans.append((info.header_offset, info.header_offset + LOCAL_HEADER_BYTES + name_length + extra_length + info.compress_size, info.orig_filename))
    spans.sort()
    reach, holder = -1, ""
    for start, end, name in spans:
        if start < reach:
            raise ItemError(f"zip entries {holder!r} and {name!r} share compressed bytes: the overlapping-entry zip bomb construction; not opened")
        if end > reach:
            reach, holder = end, name


FLAGS_ZIPFILE_REFUSES = 0x1 | 0x20 | 0x40
"""Encrypted, compressed patched data, strong encryption: flags `zipfile` will not read past."""


def raw_member(stream: BinaryIO, info: zipfile.ZipInfo, meter: MemberMeter) -> bytes:
    """A member's bytes as its local header places them, stored or deflated, whatever its flags,
    CRC or local name say. Loaders such as `torch.load` read members that `zipfile` refuses, so a
    booby-trapped model hidden behind a false flag or a bad CRC must still be readable here."""
    stream.seek(info.header_offset)
    header = stream.read(LOCAL_HEADER_BYTES)
    if len(header) < LOCAL_HEADER_BYTES or header[:4] != b"PK\x03\x04":
        raise ItemError(f"zip entry {info.orig_filename!r} has no local header; not read")
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    stream.seek(info.header_offset + LOCAL_HEADER_BYTES + name_length + extra_length)
    data = stream.read(info.compress_size)
    if info.compress_type == zipfile.ZIP_STORED:
        meter.charge(len(data))
        return data
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ItemError(f"zip entry {info.orig_filename!r} uses compression method {info.compress_type}; not read")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    chunks: list[bytes] = []
    try:
        while data:
            chunk = inflater.decompress(data, CHUNK_BYTES)
            meter.charge(len(chunk))
            chunks.append(chunk)
            data = inflater.unconsumed_tail
            if not chunk:
                break
    except zlib.error as exc:
        raise ItemError(f"zip entry {info.orig_filename!r} cannot be inflated: {exc}") from None
    return b"".join(chunks)


def _flagged_member(stream: BinaryIO, info: zipfile.ZipInfo, budget: Budget, ratio: ArchiveRatio) -> bytes:
    """A member `zipfile` refuses for its flags, read from its local header when its bytes prove
    the flag false (they match the member's CRC: ciphertext would not)."""
    try:
        data = raw_member(stream, info, MemberMeter(budget, info.compress_size, ratio))
    except ItemError:
        data = b""
    if data and zlib.crc32(data) == info.CRC:
        return data
    raise ItemError("encrypted member; not read" if info.flag_bits & 0x1 else f"member uses zip features not read (flag bits {info.flag_bits:#x}); not read")


def _zip_members(stream: BinaryIO, budget: Budget) -> Iterator[Member]:
    try:
        archive = zipfile.ZipFile(stream)
    except Exception as exc:  # noqa: BLE001 - BadZipFile, OSError, a name that is not UTF-8 despite its flag, ...
        raise ItemError(f"zip archive cannot be read: {reason(exc)}") from None
    with archive:
        check_no_overlap(archive.infolist(), stream)
        infos = [info for info in archive.infolist() if not info.is_dir()]
        check_member_count(len(infos), budget.limits)
        ratio = ArchiveRatio(compressed_size=stream.seek(0, io.SEEK_END))
        for info in infos:
            if ratio.broken:
                raise ItemError(f"the archive as a whole expands more than {budget.limits.max_compression_ratio}:1 "
                                "(CLEARSIGHT_MAX_COMPRESSION_RATIO); the rest is not read")
            mtime_ns = _zip_mtime_ns(info)
            if info.flag_bits & FLAGS_ZIPFILE_REFUSES:
                yield _member(info.filename, info.file_size, mtime_ns, lambda info=info: _flagged_member(stream, info, budget, ratio))  # type: ignore[misc]
                continue

            def read(info: zipfile.ZipInfo = info) -> bytes:
                with archive.open(info) as member_stream:
                    return _read_bounded(member_stream, budget, info.compress_size, ratio)

            yield _member(info.filename, info.file_size, mtime_ns, read)


def _zip_mtime_ns(info: zipfile.ZipInfo) -> int:
    """A zip member's time; 0 when its DOS date is impossible (month 0, day 0: hostile or damaged
    archives write them), which must not stop the archive being read."""
    try:
        return int(datetime(*info.date_time, tzinfo=UTC).timestamp() * 1e9)
    except ValueError:
        return 0


def check_member_count(count: int, limits: Limits) -> None:
    """ItemError when an archive has more members than may be read (CLEARSIGHT_MAX_ARCHIVE_MEMBERS)."""
    if count > limits.max_archive_members:
        raise ItemError(f"archive has {count} members, over the limit of {limits.max_archive_members} (CLEARSIGHT_MAX_ARCHIVE_MEMBERS); not opened")


def _tar_members(stream: BinaryIO, budget: Budget) -> Iterator[Member]:
    try:
        archive = tarfile.open(fileobj=stream, mode="r:*")  # noqa: SIM115 - closed by the `with` below, once opening cannot fail
    except Exception as exc:  # noqa: BLE001 - TarError, or the compressor's own error (zlib.error, LZMAError, OSError)
        raise ItemError(f"tar archive cannot be read: {reason(exc)}") from None
    with archive:
        count = 0
        try:
            for info in archive:
                if info.isdir():
                    continue
                count += 1
                check_member_count(count, budget.limits)
                mtime_ns = int(info.mtime) * 1_000_000_000
                if not info.isfile():
                    yield Member(info.name, info.size, mtime_ns, error="link or special file inside the archive; not followed")
                    continue

                def read(info: tarfile.TarInfo = info) -> bytes:
                    extracted = archive.extractfile(info)
                    if extracted is None:
                        raise ItemError("tar member has no data")
                    with extracted:
                        return _read_bounded(extracted, budget, None)

                yield _member(info.name, info.size, mtime_ns, read)
        except ItemError:
            raise
        except Exception as exc:  # noqa: BLE001 - TarError, or the compressor's own error (zlib.error, LZMAError, OSError)
            raise ItemError(f"tar archive is damaged after {count} members: {reason(exc)}") from None


# Callers use these in a `with`.
_STREAM_OPENERS: dict[str, Callable[[BinaryIO], io.BufferedIOBase]] = {
    "gz": lambda raw: gzip.GzipFile(fileobj=raw),
    "bz2": lambda raw: bz2.BZ2File(raw),
    "xz": lambda raw: lzma.LZMAFile(raw),  # noqa: SIM115
}


def _compressed_members(kind: str, open_stream: Callable[[], BinaryIO], name: str, compressed_size: int, budget: Budget) -> Iterator[Member]:
    """A compressed tarball's members, or the one decompressed file of a plain .gz/.bz2/.xz."""
    with open_stream() as probe:
        try:
            is_tar = tarfile.is_tarfile(probe)
        except Exception:  # noqa: BLE001 - a damaged stream: reading it below gives the member its error
            is_tar = False
    if is_tar:
        with open_stream() as stream:
            yield from _tar_members(stream, budget)
        return
    inner = posixpath.splitext(posixpath.basename(name))[0] or "content"

    def read() -> bytes:
        with open_stream() as raw, _STREAM_OPENERS[kind](raw) as decompressed:
            return _read_bounded(decompressed, budget, compressed_size)

    yield _member(inner, 0, 0, read)


def iter_members(kind: str, open_stream: Callable[[], BinaryIO], name: str, compressed_size: int, budget: Budget) -> Iterator[Member]:
    """Members of an archive of `kind` (the `filetype` extension: zip, tar, gz, bz2, xz, ...).

    Raises `ItemError` for archives that cannot be opened at all, or when a whole-archive limit
    is hit; members read before that are still yielded.
    """
    if kind == "zip":
        with open_stream() as stream:
            yield from _zip_members(stream, budget)
    elif kind == "tar":
        with open_stream() as stream:
            yield from _tar_members(stream, budget)
    elif kind in _STREAM_OPENERS:
        yield from _compressed_members(kind, open_stream, name, compressed_size, budget)
    elif kind == "7z":
        from clearsight.intake.sevenzip import sevenzip_members  # py7zr and its codecs load only for a 7z

        with open_stream() as stream:
            yield from sevenzip_members(stream, budget)
    else:
        raise ItemError(f"{kind} archives are identified and hashed but not opened (format not supported)")
