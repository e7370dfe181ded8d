"""The reference vPDQ text format of ThreatExchange: one video per file, one hashed frame per
line as `frame,quality,pdq hex,seconds`. The video's reference is the file's name."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, TextIO

from clearsight.banks.formats.base import ExportContext, FormatError, ReadOptions
from clearsight.banks.records import normalize_hash, parse_quality
from clearsight.store.records import VIDEO_SIGNAL, BankRecord, RowError

_LINE = re.compile(r"^\s*(\d+)\s*,\s*(\d+)\s*,\s*((?:0x)?[0-9a-fA-F]{64})\s*,\s*([0-9]+(?:\.[0-9]*)?)\s*$")


def frames_digest(frames: Iterable[list[Any]]) -> str:
    """SHA-256 of the frames as the reference text lays them out: a video's identity in a bank."""
    text = "".join(f"{int(f[0])},{int(f[1])},{f[2]},{float(f[3]):.3f}\n" for f in frames)
    return hashlib.sha256(text.encode()).hexdigest()


def video_record(frames: list[list[Any]], ref: str | None, classification: str | None = None) -> BankRecord:
    return BankRecord({VIDEO_SIGNAL: frames_digest(frames)}, classification, ref, frames=frames)


class VpdqFormat:
    name: ClassVar[str] = "vpdq"

    @staticmethod
    def sniff(head: str) -> bool:
        first = next((line for line in head.splitlines() if line.strip()), "")
        return bool(_LINE.match(first))

    @staticmethod
    def read(stream: TextIO, options: ReadOptions) -> Iterator[BankRecord | RowError]:
        frames: list[list[Any]] = []
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            match = _LINE.match(line)
            if match is None:
                yield RowError(number, f"not a vPDQ line (frame,quality,hex,seconds): {line.strip()[:80]!r}")
                continue
            try:
                quality = parse_quality(match[2])
                frames.append([int(match[1]), quality if quality is not None else 0, normalize_hash("pdq", match[3]), float(match[4])])
            except ValueError as exc:
                yield RowError(number, str(exc))
        if not frames:
            raise FormatError("no vPDQ frame lines in this file")
        yield video_record(frames, options.source_name)

    @staticmethod
    def write(records: Iterable[BankRecord], stream: TextIO, context: ExportContext) -> None:
        videos = [record for record in records if record.is_video]
        if len(videos) != 1:
            raise FormatError(f"a vPDQ file holds one video; bank {context.bank} has {len(videos)}: choose one with --ref")
        stream.writelines(f"{frame},{quality},{value},{float(seconds):.3f}\n" for frame, quality, value, seconds in videos[0].frames)
