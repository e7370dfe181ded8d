"""SQLAlchemy models of the case database.

Items are file versions: the same path with a new size or modification time is a new item, so
a re-scan of changed evidence never overwrites what an earlier run recorded. `version_key`
(a SHA-256 over the parent's key, the path, size and mtime) makes that identity one indexed
column that works the same on SQLite and PostgreSQL. Archive members point at their archive
(`parent_id`) and at the top-level file they came from (`top_id`), so a whole archive can be
fetched or linked to a run in one query.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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
