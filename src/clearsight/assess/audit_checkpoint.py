"""Signed checkpoints of the audit chain's head, kept where the database's writers cannot reach.

The keyed chain stops a rewrite by someone without the key. Someone with the key and the
database, or someone who deletes the whole trail, is caught by a record kept elsewhere: now and
then `clearsight audit checkpoint` signs "after N entries the head was H" with an Ed25519 key and
appends it to a file or sends it to syslog; `clearsight audit verify --checkpoint FILE` checks
every signature and that entry N of the chain still has hash H. Lines are JSON objects; a line
may carry a prefix (syslog's), the object starts at its first `{`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from clearsight.errors import ClearsightError

SYSLOG_TAG = "clearsight-audit-checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    entries: int
    head: str
    at: str
    database: str
    line: int
    """Line of the checkpoint file it was read from (1-based), for messages."""
    signed: bool
    """Whether its signature is valid under the public key it was checked with."""


def _payload(entries: int, head: str, at: str, database: str) -> bytes:
    return json.dumps({"entries": entries, "head": head, "at": at, "database": database}, sort_keys=True, separators=(",", ":")).encode()


def _fingerprint(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signing_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 key at `path` (PEM); made there (mode 0600, public key beside it as `.pub`) if absent."""
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        public_key_path(path).write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        return key
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ClearsightError(f"cannot read the signing key {path}: {exc}") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ClearsightError(f"{path} is not an Ed25519 private key")
    return loaded


def public_key_path(private_path: Path) -> Path:
    return private_path.with_name(private_path.name + ".pub")


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        loaded = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ClearsightError(f"cannot read the public key {path}: {exc}") from None
    if not isinstance(loaded, Ed25519PublicKey):
        raise ClearsightError(f"{path} is not an Ed25519 public key")
    return loaded


def checkpoint_line(key: Ed25519PrivateKey, entries: int, head: str, database: str) -> str:
    """One signed checkpoint as a JSON line."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    signature = base64.b64encode(key.sign(_payload(entries, head, at, database))).decode()
    record: dict[str, Any] = {"entries": entries, "head": head, "at": at, "database": database,
                              "key": _fingerprint(key.public_key()), "signature": signature}
    return json.dumps(record, sort_keys=True)


def read_checkpoints(text: str, public: Ed25519PublicKey) -> list[Checkpoint]:
    """Every checkpoint line in `text` (other lines are skipped), each with its signature checked."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        start = line.find("{")
        if start < 0:
            continue
        try:
            record = json.loads(line[start:])
            entries, head, at, database = int(record["entries"]), str(record["head"]), str(record["at"]), str(record["database"])
            signature = base64.b64decode(record["signature"], validate=True)
        except (ValueError, KeyError, TypeError):
            continue
        try:
            public.verify(signature, _payload(entries, head, at, database))
            signed = True
        except InvalidSignature:
            signed = False
        found.append(Checkpoint(entries, head, at, database, number, signed))
    return found


def checkpoint_problems(checkpoints: list[Checkpoint], hashes_at: dict[int, str], chain_length: int) -> list[str]:
    """What the chain no longer agrees with: `hashes_at` holds the chain's hash at each checkpointed position."""
    problems = []
    for checkpoint in checkpoints:
        where = f"checkpoint on line {checkpoint.line} ({checkpoint.at}, {checkpoint.entries:,} entries)"
        if not checkpoint.signed:
            problems.append(f"{where}: its signature is not valid under this public key (forged or altered)")
        elif checkpoint.entries > chain_length:
            problems.append(f"{where}: the chain now has only {chain_length:,} entries: entries were deleted")
        elif hashes_at.get(checkpoint.entries) != checkpoint.head:
            problems.append(f"{where}: entry {checkpoint.entries:,} no longer has the signed hash: the chain was rewritten")
    return problems
