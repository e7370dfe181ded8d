"""The secret that keys the audit chain, kept outside the database.

A plain hash chain can be rewritten by anyone who can write the database: edit an entry and
recompute every later hash and the head. Keying each link with HMAC-SHA-256 under a secret the
database does not hold makes a rewrite detectable by whoever holds the key.

The key comes from `CLEARSIGHT_AUDIT_KEY` (64 hex digits) or the file `CLEARSIGHT_AUDIT_KEY_FILE`
names; without either, from a file created on first use (`store.key_files`: beside a SQLite case
database as `case.db.audit-key`, under `~/.config/clearsight/audit-keys/` for a server database).
The file also records `keyed_from`, the chain position where keying began: entries written
before the key existed (older databases) keep their plain SHA-256 links, and since the position
lives with the key, not in the database, it cannot be moved to skip the check.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from clearsight.errors import ClearsightError
from clearsight.store.key_files import key_path, write_new

KEY_BYTES = 32


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    keyed_from: int
    """1-based chain position of the first keyed entry."""
    where: str
    """Where the key came from, for messages (never the key)."""


def key_file_for(engine: Engine, env: dict[str, str] | None = None) -> Path:
    """The key file used for this database when the environment does not give the key itself."""
    return key_path(engine, "audit-key", dict(os.environ) if env is None else env, "CLEARSIGHT_AUDIT_KEY_FILE")


def load_key(engine: Engine, next_position: Callable[[], int], env: dict[str, str] | None = None) -> AuditKey:
    """The database's audit key; a new one is made (keyed from `next_position()`) if there is none."""
    env = dict(os.environ) if env is None else env
    if env.get("CLEARSIGHT_AUDIT_KEY"):
        try:
            secret = bytes.fromhex(env["CLEARSIGHT_AUDIT_KEY"])
        except ValueError:
            raise ClearsightError("CLEARSIGHT_AUDIT_KEY must be hexadecimal") from None
        if len(secret) < 16:
            raise ClearsightError("CLEARSIGHT_AUDIT_KEY must be at least 32 hex digits")
        return AuditKey(secret, int(env.get("CLEARSIGHT_AUDIT_KEYED_FROM", "1")), "CLEARSIGHT_AUDIT_KEY")
    path = key_file_for(engine, env)
    if not path.exists():
        _create(path, next_position())
    try:
        held = json.loads(path.read_text(encoding="utf-8"))
        return AuditKey(bytes.fromhex(held["key"]), int(held["keyed_from"]), str(path))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ClearsightError(f"cannot read the audit key file {path}: {exc}") from None


def _create(path: Path, keyed_from: int) -> None:
    """A new key file; of two first writers, the second reads the first's key."""
    write_new(path, json.dumps({"key": secrets.token_hex(KEY_BYTES), "keyed_from": keyed_from}).encode())
