"""The audit trail: append-only entries, each carrying the hash of the one before.

An entry's hash covers the previous hash, its time, actor, action, subject and details, so
editing an entry breaks its own hash and deleting one breaks the next entry's link; a single
`audit_head` row holds the newest hash and the count, so deleting the newest entries shows too.
Appends take the head row's write lock first, which orders concurrent writers on SQLite and
PostgreSQL alike. (Someone able to rewrite every later entry and the head could hide an edit:
publishing the head hash now and then, as `audit verify` prints it, anchors the chain.)
"""

from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from clearsight.store.models import AuditEntry, AuditHead

log_t: Table = AuditEntry.__table__  # type: ignore[assignment]
head_t: Table = AuditHead.__table__  # type: ignore[assignment]

GENESIS = "0" * 64
HEAD_ID = 1
READ_CHUNK = 5000


def cli_actor() -> str:
    """Who is acting at the command line: `cli:` and the operating-system account."""
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _timestamp(at: datetime) -> str:
    """One text form of a time for hashing, whatever the database hands back (SQLite drops the zone)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, at: datetime, actor: str, action: str, subject: str | None, details: dict[str, Any] | None) -> str:
    canonical = json.dumps([prev_hash, _timestamp(at), actor, action, subject, details], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Verification:
    entries: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(self, actor: str, action: str, subject: str | None = None, details: dict[str, Any] | None = None) -> str:
        """Record one event; returns its hash. The caller's transaction is not used: an audit entry
        is written even when the work it records later fails."""
        for _ in range(5):
            try:
                with self.engine.begin() as conn:
                    return self._append(conn, actor, action, subject, details)
            except IntegrityError:  # two first entries raced to create the head row
                continue
        raise RuntimeError("could not append to the audit log")

    def _append(self, conn: Connection, actor: str, action: str, subject: str | None, details: dict[str, Any] | None) -> str:
        locked = conn.execute(update(head_t).where(head_t.c.id == HEAD_ID).values(entries=head_t.c.entries)).rowcount
        if not locked:
            conn.execute(insert(head_t).values(id=HEAD_ID, hash=GENESIS, entries=0))
        head = conn.execute(select(head_t.c.hash, head_t.c.entries).where(head_t.c.id == HEAD_ID)).one()
        at = datetime.now(UTC)
        digest = entry_hash(head.hash, at, actor, action, subject, details)
        conn.execute(insert(log_t).values(at=at, actor=actor, action=action, subject=subject, details=details, prev_hash=head.hash, hash=digest))
        conn.execute(update(head_t).where(head_t.c.id == HEAD_ID).values(hash=digest, entries=head.entries + 1))
        return digest

    def entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The newest entries, newest first."""
        query = select(log_t).order_by(log_t.c.id.desc())
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query.limit(limit) if limit else query).mappings()]

    def latest(self, actor: str, action: str, subject: str, since: datetime) -> dict[str, Any] | None:
        """The newest entry of `actor` doing `action` on `subject` since a time, if any."""
        query = (select(log_t).where(log_t.c.actor == actor, log_t.c.action == action, log_t.c.subject == subject, log_t.c.at >= since)
                 .order_by(log_t.c.id.desc()).limit(1))
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row is not None else None

    def verify(self) -> Verification:
        """Walk the chain from the first entry; every break is reported with the entry it is at."""
        result = Verification()
        expected = GENESIS
        with self.engine.connect() as conn:
            rows = conn.execute(select(log_t).order_by(log_t.c.id)).mappings()
            while chunk := rows.fetchmany(READ_CHUNK):
                for row in chunk:
                    result.entries += 1
                    if row["prev_hash"] != expected:
                        result.problems.append(f"entry {row['id']}: does not follow the entry before it (one was deleted or changed)")
                    if entry_hash(row["prev_hash"], row["at"], row["actor"], row["action"], row["subject"], row["details"]) != row["hash"]:
                        result.problems.append(f"entry {row['id']}: its contents do not match its hash (it was edited)")
                    expected = row["hash"]
            head = conn.execute(select(head_t.c.hash, head_t.c.entries).where(head_t.c.id == HEAD_ID)).first()
        head_hash, head_entries = (head.hash, head.entries) if head is not None else (GENESIS, 0)
        if head_hash != expected or head_entries != result.entries:
            result.problems.append(f"the chain ends at entry {result.entries} but {head_entries} were written: the newest entries were deleted or replaced")
        result.head = head_hash
        return result
