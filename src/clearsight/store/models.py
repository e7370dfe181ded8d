"""SQLAlchemy models of the case database.

Items are file versions: the same path with a new size or modification time is a new item, so
a re-scan of changed evidence never overwrites what an earlier run recorded. `version_key`
(a SHA-256 over the parent's key, the path, size and mtime) makes that identity one indexed
column that works the same on SQLite and PostgreSQL. Archive members point at their archive
(`parent_id`) and at the top-level file they came from (`top_id`), so a whole archive can be
fetched or linked to a run in one query.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

BIG_ID = BigInteger().with_variant(Integer, "sqlite")
"""64-bit ids for tables that grow to millions of rows; SQLite's INTEGER PRIMARY KEY is already 64-bit."""


class Base(DeclarativeBase):
    pass


class ScanRun(Base):
    """One invocation of `clearsight scan` over a set of roots; resumed runs keep their id."""

    __tablename__ = "scan_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    roots_key: Mapped[str] = mapped_column(String(64), index=True)
    roots: Mapped[list[str]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MediaItem(Base):
    """One file or archive member as it was when scanned."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_key: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    top_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(16))
    mime: Mapped[str | None] = mapped_column(String(128))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ItemHash(Base):
    """One signal value of an item (md5, sha1, sha256, pdq, ...), with its quality if it has one."""

    __tablename__ = "item_hashes"
    __table_args__ = (Index("ix_item_hashes_signal_value", "signal_type", "value"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    signal_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    quality: Mapped[int | None] = mapped_column(Integer)


class ItemErrorRecord(Base):
    """Why a stage could not process an item; the item still counts as scanned."""

    __tablename__ = "item_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)


class ScanRunItem(Base):
    """Membership of an item in a run: the run's output lists exactly these, once each."""

    __tablename__ = "scan_run_items"

    run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)


class Bank(Base):
    """A named hash list from one source (a hotline, a partner, our own grading) with its match policy."""

    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    source: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(128))
    classification: Mapped[str | None] = mapped_column(String(64))
    """Label given to entries that carry none of their own."""
    pdq_distance: Mapped[int] = mapped_column(Integer)
    allowlist: Mapped[bool] = mapped_column(Boolean)
    """Known false positives: a hit here suppresses matches from every other bank."""
    enabled: Mapped[bool] = mapped_column(Boolean)
    enabled_ratio: Mapped[float] = mapped_column(Float, server_default="1.0")
    """HMA's `matching_enabled_ratio`: the share of lookups this bank answers (0 when disabled)."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    trusted_tokens: Mapped[list[str] | None] = mapped_column(JSON)
    """API tokens whose additions keep their labels here; anyone else's are `unvetted`."""


_QUARANTINED = text("quarantined_at IS NOT NULL")
"""The rows of `ix_bank_entries_quarantined`, a partial index on both databases."""


class BankEntry(Base):
    """One known item of a bank: its labels, and (in `bank_hashes`) every hash it is known by."""

    __tablename__ = "bank_entries"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"), index=True)
    classification: Mapped[str | None] = mapped_column(String(64))
    ref: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Format-specific fields kept for a faithful export (VICS series and tags, NCMEC file names...)."""
    note: Mapped[str | None] = mapped_column(String(255))
    content_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """What an HMA client said of the content when banking it (`content_id`, `content_uri`, `json`)."""
    disable_until_ts: Mapped[int] = mapped_column(BigInteger, server_default="1", index=True)
    """HMA's convention: 1 matches, 0 never matches, any other Unix time matches from then on."""
    first_seen: Mapped[date | None] = mapped_column(Date)
    """When whoever listed the entry first saw it (the list's own date), if the list says."""
    quarantined_at: Mapped[int | None] = mapped_column(BigInteger)
    """Unix time a match-rate spike set the entry aside (`banks.spikes`); it does not match until released."""
    quarantine_matches: Mapped[int | None] = mapped_column(Integer)
    """Its matches in the hour that tripped the quarantine."""

    __table_args__ = (Index("ix_bank_entries_quarantined", "quarantined_at", sqlite_where=_QUARANTINED, postgresql_where=_QUARANTINED),)
    """Only the few quarantined entries: a matcher reads them at every refresh (four times a second),
    which without it read all of a million-entry bank each time."""


class BankHash(Base):
    """One hash of a bank entry. Ids only grow, so a running index catches up by reading ids above its last."""

    __tablename__ = "bank_hashes"
    __table_args__ = (Index("uq_bank_hashes_signal_value_bank", "signal_type", "value", "bank_id", unique=True),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    entry_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("bank_entries.id", ondelete="CASCADE"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    signal_type: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(128))
    quality: Mapped[int | None] = mapped_column(Integer)


class BankHashRemoval(Base):
    """Log of removed hash ids, so running indexes drop them without a rebuild."""

    __tablename__ = "bank_hash_removals"

    seq: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    hash_id: Mapped[int] = mapped_column(BigInteger)
    entry_id: Mapped[int | None] = mapped_column(BigInteger)
    """The entry it belonged to: with the hash id, the highest ids ever used, never handed out again."""


class ItemProvenance(Base):
    """The provenance record of an image (verdict, evidence, prompts included: access is by case)."""

    __tablename__ = "item_provenance"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(16), index=True)
    strength: Mapped[str | None] = mapped_column(String(16))
    tool: Mapped[str | None] = mapped_column(Text)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    detector_score: Mapped[float | None] = mapped_column(Float, index=True)
    """The highest score any detector gave the image (indicative: the queue sorts and filters by it)."""


class ItemModelRef(Base):
    """A checkpoint or LoRA an image's metadata names, normalised for linking to model files."""

    __tablename__ = "item_model_refs"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """`lora` or `checkpoint`."""
    name: Mapped[str | None] = mapped_column(Text)
    name_key: Mapped[str | None] = mapped_column(String(255), index=True)
    hash_key: Mapped[str | None] = mapped_column(String(128), index=True)


class ModelFileRecord(Base):
    """A model file's identity: its hashes in every form the ecosystem uses, and the full record."""

    __tablename__ = "model_files"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    format: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    autov1: Mapped[str | None] = mapped_column(String(8), index=True)
    autov3: Mapped[str | None] = mapped_column(String(64), index=True)
    blake3: Mapped[str | None] = mapped_column(String(64), index=True)
    unsafe_pickle: Mapped[bool] = mapped_column(Boolean)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class ModelName(Base):
    """A name a model file is known by (file name, kohya output name, modelspec title), normalised."""

    __tablename__ = "model_names"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    name_key: Mapped[str] = mapped_column(String(255), primary_key=True, index=True)


class ItemVideo(Base):
    """A video's vPDQ: the summary and every hashed frame as `[frame, quality, pdq, seconds]`."""

    __tablename__ = "item_videos"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    frames: Mapped[int] = mapped_column(Integer)
    sampled_fps: Mapped[float] = mapped_column(Float)
    duration: Mapped[float | None] = mapped_column(Float)
    hashes: Mapped[list[list[Any]]] = mapped_column(JSON)


class BankVideoFrame(Base):
    """One hashed frame of a known video (a bank entry whose identity is its `vpdq` digest)."""

    __tablename__ = "bank_video_frames"
    __table_args__ = (Index("ix_bank_video_frames_entry", "entry_id"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    entry_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("bank_entries.id", ondelete="CASCADE"))
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    frame: Mapped[int] = mapped_column(Integer)
    quality: Mapped[int] = mapped_column(Integer)
    value: Mapped[str] = mapped_column(String(64))
    seconds: Mapped[float] = mapped_column(Float)


class User(Base):
    """An analyst, reviewer or admin of the assessment app; the password is an argon2 hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A machine client's token, kept only as its SHA-256; `banks` limits what it may match against."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    banks: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One append-only audit record, chained to the one before by its hash."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The hash of the newest audit entry: appends compare-and-swap it, and it shows a deleted tail."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(BigInteger)


class WebSession(Base):
    """A logged-in browser: the cookie's SHA-256 (never the cookie), its user and CSRF token."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Report(Base):
    """A URL reported to the hotline (or found proactively): where it was, and what was done about it."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(Text)
    domain: Mapped[str] = mapped_column(String(255), index=True)
    web_layer: Mapped[str] = mapped_column(String(8))
    hosting_country: Mapped[str | None] = mapped_column(String(2))
    site_type: Mapped[str] = mapped_column(String(32), index=True)
    commercial: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    external_id: Mapped[str | None] = mapped_column(String(128), index=True, unique=True)
    """The report's id in the system its record was imported from."""


class ReportAction(Base):
    """One event of a report's takedown lifecycle and when it happened: an action taken (a notice
    to the host, an INHOPE forward, ...) or a state observed (acknowledged, removed, still live,
    re-appeared). Rows are only ever added: the lifecycle is the table read in time order."""

    __tablename__ = "report_actions"
    __table_args__ = (Index("ix_report_actions_action_report", "action", "report_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(128))
    recipient: Mapped[str | None] = mapped_column(String(32))
    """Whom a notice or escalation went to (host, registrar, inhope_hotline, police, ...)."""
    note: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    """For a re-appearance at another address: that address (none when the same URL came back)."""
    related_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    """For a re-appearance found by matching: the new report whose item is this report's removed item."""
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the event was entered (its `at` is when it happened); none for rows older than this column."""


class ReportItem(Base):
    """An item found at a report's URL."""

    __tablename__ = "report_items"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True, index=True)


class ItemMatch(Base):
    """A bank entry an item matched when it was last checked against the banks."""

    __tablename__ = "item_matches"
    __table_args__ = (Index("ix_item_matches_item", "item_id"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    bank: Mapped[str] = mapped_column(String(128))
    signal: Mapped[str] = mapped_column(String(16))
    distance: Mapped[int] = mapped_column(Integer)
    classification: Mapped[str | None] = mapped_column(String(64))
    ref: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[date | None] = mapped_column(Date)
    """The matched entry's first-seen date, if its list gave one."""


class ItemMatchState(Base):
    """Which state of the banks an item was last matched against (a digest of bank ids and update times)."""

    __tablename__ = "item_match_state"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    banks_key: Mapped[str] = mapped_column(String(64))


class Assessment(Base):
    """One grade of one item: by an analyst, or automatic (`automatic` says why) for known items."""

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_item", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    analyst: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(32))
    uk_legal_basis: Mapped[str] = mapped_column(String(32))
    uk_category: Mapped[str] = mapped_column(String(8))
    age_band: Mapped[str] = mapped_column(String(8))
    sex: Mapped[str] = mapped_column(String(16))
    child_count: Mapped[int | None] = mapped_column(Integer)
    production: Mapped[str] = mapped_column(String(32))
    flags: Mapped[list[str]] = mapped_column(JSON)
    series: Mapped[str | None] = mapped_column(String(200))
    labels: Mapped[dict[str, Any]] = mapped_column(JSON)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    """A grade applied to an exact duplicate points at the grade it copies, and shares its review."""
    automatic: Mapped[str | None] = mapped_column(Text)
    review_state: Mapped[str] = mapped_column(String(16), index=True)
    exposure_seconds: Mapped[float] = mapped_column(Float)


class Review(Base):
    """A second analyst's confirmation or dispute of a grade, or a reviewer's final decision."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    reviewer: Mapped[str] = mapped_column(String(128))
    decision: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserPreferences(Base):
    """How one analyst wants previews shown (blur strength, greyscale, size)."""

    __tablename__ = "user_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)


class AppSetting(Base):
    """One setting of the app an admin may change (exposure limit, break interval)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Detector(Base):
    """A pluggable ONNX detector a hotline added: the model file itself, its model card, whether
    scans run it, and whether (and under which false-positive ceiling) an admin lets it decide verdicts."""

    __tablename__ = "detectors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    model: Mapped[bytes] = mapped_column(LargeBinary)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean)
    verdicts: Mapped[bool] = mapped_column(Boolean)
    ceiling: Mapped[float | None] = mapped_column(Float)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    added_by: Mapped[str] = mapped_column(String(128))


class DetectorCalibration(Base):
    """One calibration of a detector on the case's confirmed grades: its figures (numbers only)."""

    __tablename__ = "detector_calibrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    detector_id: Mapped[int] = mapped_column(ForeignKey("detectors.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    year: Mapped[int | None] = mapped_column(Integer)
    results: Mapped[dict[str, Any]] = mapped_column(JSON)


class ItemCluster(Base):
    """An image's near-duplicate cluster: the representative it was within the cluster distance
    of when it arrived (itself, for a representative), and that distance."""

    __tablename__ = "item_clusters"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(Integer, index=True)
    distance: Mapped[int] = mapped_column(Integer)


class Camera(Base):
    """A seized camera's sensor fingerprint (PRNU), estimated from reference photos it took.

    The pattern is kept as float16 (half the space of float32; its rounding, under 0.05% of each
    value, changes a PCE by far less than one image's noise does)."""

    __tablename__ = "cameras"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    photos: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """The reference photos: each one's name and SHA-256."""
    fingerprint: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    """Of the stored pattern: names the copy a scan's workers read from the cache."""
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExchangeApi(Base):
    """An exchange type's credentials (HMA keeps them per type), sealed with the data key."""

    __tablename__ = "exchange_apis"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    credentials: Mapped[str | None] = mapped_column(Text)


class Exchange(Base):
    """A configured source feeding one bank: its type, settings, checkpoint and fetch status.

    `lease_until` is the fetch lock: a fetcher takes it by moving it into the future in one
    UPDATE that only succeeds while it is in the past (or its holder is a dead process of this
    host), so two replicas never fetch one exchange at once."""

    __tablename__ = "exchanges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    api: Mapped[str] = mapped_column(String(64))
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean)
    interval_seconds: Mapped[int] = mapped_column(Integer)
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    checkpoint_ts: Mapped[int | None] = mapped_column(BigInteger)
    running_fetch_start_ts: Mapped[int | None] = mapped_column(BigInteger)
    last_fetch_complete_ts: Mapped[int | None] = mapped_column(BigInteger)
    last_fetch_succeeded: Mapped[bool | None] = mapped_column(Boolean)
    up_to_date: Mapped[bool] = mapped_column(Boolean)
    fetched_items: Mapped[int] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_until: Mapped[int] = mapped_column(BigInteger)
    lease_holder: Mapped[str | None] = mapped_column(String(300))
    """`host:pid` of the fetcher holding the lease: a fetcher on the same host may take over from
    one whose process is gone (killed mid-fetch) without waiting for the lease to run out."""


class ExchangeEntry(Base):
    """The bank entry holding one source item of an exchange (its id at the source)."""

    __tablename__ = "exchange_entries"

    exchange_id: Mapped[int] = mapped_column(ForeignKey("exchanges.id", ondelete="CASCADE"), primary_key=True)
    source_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    entry_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("bank_entries.id", ondelete="CASCADE"), index=True)


class MatchFeedback(Base):
    """An analyst's confirm or dispute of a bank entry a match hit, and whether (and how) it was
    sent back to the exchange the entry came from."""

    __tablename__ = "match_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("bank_entries.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent: Mapped[bool] = mapped_column(Boolean)
    send_result: Mapped[str | None] = mapped_column(Text)
