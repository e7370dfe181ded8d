"""The audit trail: append-only entries, each carrying the keyed hash of the one before.

An entry's hash covers the previous hash, its time, actor, action, subject and details, so
editing an entry breaks its own hash and deleting one breaks the next entry's link; a single
`audit_head` row holds the newest hash and the count, so deleting the newest entries shows too.
The hash is an HMAC under a key kept outside the database (`audit_key`), so someone who can
write the database but not read the key cannot rechain an edit or forge an entry. Against
someone who holds both, or who deletes the whole trail, signed checkpoints of the head kept
elsewhere (`audit_checkpoint`) are the anchor; and a trail that is empty while items carry
grades is reported as deleted. Appends take the head row's write lock first, which orders
concurrent writers on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from clearsight.assess.audit_checkpoint import Checkpoint, checkpoint_problems
from clearsight.assess.audit_key import AuditKey, key_file_for, load_key
from clearsight.store.models import Assessment, AuditEntry, AuditHead

log_t: Table = AuditEntry.__table__  # type: ignore[assignment]
head_t: Table = AuditHead.__table__  # type: ignore[assignment]
assessments_t: Table = Assessment.__table__  # type: ignore[assignment]

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


def entry_hash(prev_hash: str, at: datetime, actor: str, action: str, subject: str | None, details: dict[str, Any] | None,
               key: bytes | None = None) -> str:
    """The link of one entry: HMAC-SHA-256 under `key`, or plain SHA-256 for entries older than the key."""
    canonical = json.dumps([prev_hash, _timestamp(at), actor, action, subject, details], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest() if key is not None else hashlib.sha256(canonical).hexdigest()


@dataclass
class Verification:
    entries: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class AuditLog:
    def __init__(self, engine: Engine, env: dict[str, str] | None = None) -> None:
        """`env` stands in for the environment the key is found through (tests)."""
        self.engine = engine
        self.env = env
        self._loaded: AuditKey | None = None

    def _next_position(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(head_t.c.entries).where(head_t.c.id == HEAD_ID)).scalar() or 0) + 1

    def _key(self) -> AuditKey:
        """The chain's key, made on the first append if the database has none yet."""
        if self._loaded is None:
            self._loaded = load_key(self.engine, self._next_position, self.env)
        return self._loaded

    def append(self, actor: str, action: str, subject: str | None = None, details: dict[str, Any] | None = None) -> str:
        """Record one event; returns its hash. The caller's transaction is not used: an audit entry
        is written even when the work it records later fails."""
        return self.append_many(actor, action, [(subject, details)])

    def append_many(self, actor: str, action: str, events: list[tuple[str | None, dict[str, Any] | None]]) -> str:
        """Record several events of one actor and action in one transaction (a migration's grades);
        returns the newest hash."""
        key = self._key()
        for _ in range(5):
            try:
                with self.engine.begin() as conn:
                    return self._append(conn, key, actor, action, events)
            except IntegrityError:  # two first entries raced to create the head row
                continue
        raise RuntimeError("could not append to the audit log")

    def append_with(self, conn: Connection, actor: str, action: str, events: list[tuple[str | None, dict[str, Any] | None]]) -> str:
        """Record events in the caller's transaction, so that work and its audit entries commit
        (or are lost to a kill) together: a resumed bulk update then neither repeats an entry
        nor leaves committed work unaudited. Returns the newest hash."""
        return self._append(conn, self._key(), actor, action, events)

    def _append(self, conn: Connection, key: AuditKey, actor: str, action: str, events: list[tuple[str | None, dict[str, Any] | None]]) -> str:
        locked = conn.execute(update(head_t).where(head_t.c.id == HEAD_ID).values(entries=head_t.c.entries)).rowcount
        if not locked:
            conn.execute(insert(head_t).values(id=HEAD_ID, hash=GENESIS, entries=0))
        head = conn.execute(select(head_t.c.hash, head_t.c.entries).where(head_t.c.id == HEAD_ID)).one()
        digest: str = head.hash
        position: int = head.entries
        rows = []
        for subject, details in events:
            position += 1
            at = datetime.now(UTC)
            link = entry_hash(digest, at, actor, action, subject, details, key.secret if position >= key.keyed_from else None)
            rows.append({"at": at, "actor": actor, "action": action, "subject": subject, "details": details, "prev_hash": digest, "hash": link})
            digest = link
        if rows:
            conn.execute(insert(log_t), rows)
        conn.execute(update(head_t).where(head_t.c.id == HEAD_ID).values(hash=digest, entries=position))
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

    def verify(self, checkpoints: list[Checkpoint] | None = None) -> Verification:
        """Walk the chain from the first entry; every break is reported with the entry it is at,
        and so is each signed checkpoint the chain no longer holds."""
        result = Verification()
        key = self._existing_key()
        if key is None:
            key = AuditKey(b"", 1 << 62, "")
            if self._next_position() > 1:
                result.problems.append(f"no audit key at {key_file_for(self.engine, self.env)} (nor CLEARSIGHT_AUDIT_KEY): "
                                       "keyed entries cannot be checked")
        wanted = {checkpoint.entries for checkpoint in checkpoints or []}
        hashes_at: dict[int, str] = {0: GENESIS}
        expected = GENESIS
        with self.engine.connect() as conn:
            rows = conn.execute(select(log_t).order_by(log_t.c.id)).mappings()
            while chunk := rows.fetchmany(READ_CHUNK):
                for row in chunk:
                    result.entries += 1
                    if row["prev_hash"] != expected:
                        result.problems.append(f"entry {row['id']}: does not follow the entry before it (one was deleted or changed)")
                    secret = key.secret if result.entries >= key.keyed_from else None
                    if not hmac.compare_digest(entry_hash(row["prev_hash"], row["at"], row["actor"], row["action"], row["subject"], row["details"], secret),
                                               row["hash"]):
                        result.problems.append(f"entry {row['id']}: its contents do not match its hash (it was edited, rechained or forged)")
                    if result.entries in wanted:
                        hashes_at[result.entries] = row["hash"]
                    expected = row["hash"]
            head = conn.execute(select(head_t.c.hash, head_t.c.entries).where(head_t.c.id == HEAD_ID)).first()
            graded = conn.execute(select(func.count()).select_from(assessments_t)).scalar_one()
        head_hash, head_entries = (head.hash, head.entries) if head is not None else (GENESIS, 0)
        if head_hash != expected or head_entries != result.entries:
            result.problems.append(f"the chain ends at entry {result.entries} but {head_entries} were written: the newest entries were deleted or replaced")
        if result.entries == 0 and graded:
            result.problems.append(f"the audit trail is empty but {graded:,} grades exist: the trail was deleted")
        result.problems += checkpoint_problems(checkpoints or [], hashes_at, result.entries)
        result.head = head_hash
        return result

    def _existing_key(self) -> AuditKey | None:
        """The key if one exists; verifying never makes one (that would bless a rechained trail)."""
        if self._loaded is None and not (self.env if self.env is not None else os.environ).get("CLEARSIGHT_AUDIT_KEY") \
                and not key_file_for(self.engine, self.env).exists():
            return None
        return self._key()
