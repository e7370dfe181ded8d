"""The plain records the case database takes in and gives back: bank entries, URL reports with
the graded items an imported report brings, and the error of an import row that was refused.

The layers that read files (`banks.formats`, `intake`) build these records and the store writes
them; they are defined here, below both, so the store needs nothing from the layers above it.
They hold checked values only: the checks are the readers'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

VIDEO_SIGNAL = "vpdq"
"""The signal of a known video's frame-list digest (its identity in `bank_hashes`; its frames
are in `bank_video_frames`). Not one of `banks.records.HEX_LENGTHS`: no list format but vPDQ carries it."""


@dataclass
class BankRecord:
    """One entry of a hash list: its hashes by signal type and its labels.

    One entry is one known item, which partners often describe by several hashes at once (a VICS
    Media record has an MD5, a SHA-1 and a PDQ); keeping them together is what lets an export give
    back the same grouping that was imported.
    """

    hashes: dict[str, str]
    classification: str | None = None
    ref: str | None = None
    quality: int | None = None
    """PDQ quality when the list gives it."""
    attributes: dict[str, Any] = field(default_factory=dict)
    """Fields of the source format kept for a faithful export (series, tags, file names...)."""
    frames: list[list[Any]] = field(default_factory=list)
    """For a known video: its vPDQ frames as `[frame, quality, pdq hex, seconds]`. Its `hashes`
    then hold `vpdq`, a digest of the frames that identifies the video within the bank."""
    first_seen: date | None = None
    """The earliest date the list says it knew the entry (a CSV's `first_seen`, VICS and NCMEC
    dates): the item existed by then."""

    @property
    def is_video(self) -> bool:
        return bool(self.frames)


@dataclass(frozen=True)
class RowError:
    """A record that could not be imported, and why; the rest of the file still is. The one
    row-error type of every import (hash lists and report records)."""

    row: int
    """1-based line (text formats) or record number (JSON, XML)."""
    message: str


@dataclass(frozen=True)
class ItemRecord:
    """An item graded in another system, as an imported report record brings it."""

    external_id: str
    media_type: str
    assessed_at: datetime
    grade_columns: dict[str, Any]
    """Its grade as the assessment row's grade columns and derived labels (`assess.grading.grade_values`)."""
    hashes: dict[str, str]


@dataclass
class ReportRecord:
    """One URL report, from a form, a file or another system's export (read and checked by `intake.reports`)."""

    url: str
    source: str
    site_type: str = "other"
    web_layer: str = "clear"
    hosting_country: str | None = None
    commercial: str = "none"
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    outcome: str | None = None
    notes: str | None = None
    actions: list[tuple[str, datetime]] = field(default_factory=list)
    external_id: str | None = None
    """The report's id in the system it was exported from (records import); a second import of it is refused."""
    items: list[ItemRecord] = field(default_factory=list)
    """Items already graded in that system (records import)."""
    line: int = 0
    """Where the record was read from (the line or CSV row), for errors found when storing it."""

    @property
    def domain(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


@dataclass(frozen=True)
class EventRecord:
    """One event of a report's takedown lifecycle, as a bulk update row gives it (read and checked
    by `intake.lifecycle_rows`): the report by the id it was imported with, what happened and when."""

    report_ref: str
    """The report's external id (as in `records import`)."""
    action: str
    """The stored action name (`notice` for a row's `notice_sent`)."""
    at: datetime
    recipient: str | None = None
    note: str | None = None
    url: str | None = None
    line: int = 0
