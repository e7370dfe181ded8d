"""Sensitive fields encrypted at rest, with a key kept outside the database.

Prompts, captions, templates and the rest of `clearsight.sensitive` are evidence, so the case
database keeps them; but a copied database file, a backup or a read-only database account must
not hand them over. Each such value is stored as `{"sealed": <Fernet token>}` (AES-128-CBC with
HMAC-SHA-256, from `cryptography`) and opened again only when the record is read back. The rest
of a record (verdicts, tools, hashes, settings) stays plain, so queries and links still work.

Keys come from `CLEARSIGHT_DATA_KEY` (Fernet keys, comma-separated, the first one sealing) or a
key file (`store.key_files`: `case.db.data-key`, made on first use); `clearsight keys rotate`
makes a new key and re-seals every value under it. Records written before sealing existed stay
readable, and are sealed by the next rotation.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Engine

from clearsight.errors import ClearsightError
from clearsight.sensitive import SENSITIVE_CLAIMS, is_sensitive_metadata
from clearsight.store.key_files import key_path, replace_file, write_new

KEY_FILE_ENV = "CLEARSIGHT_DATA_KEY_FILE"
KEYS_ENV = "CLEARSIGHT_DATA_KEY"
SEALED = "sealed"
UNOPENED = "[sealed: this value's key is not available]"


def _sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {SEALED}


def _each_sensitive(record: dict[str, Any], kind: str, change: Callable[[Any], Any]) -> dict[str, Any]:
    """A copy of a provenance or model-file record with `change` applied to each sensitive value."""
    out = copy.deepcopy(record)
    if kind == "provenance":
        for evidence in out.get("evidence") or []:
            claims = evidence.get("claims") or {}
            for key in [key for key in claims if key in SENSITIVE_CLAIMS]:
                claims[key] = change(claims[key])
    else:
        metadata = out.get("metadata") or {}
        for key in [key for key in metadata if is_sensitive_metadata(key)]:
            metadata[key] = change(metadata[key])
    return out


class Sealer:
    """Seals and opens the sensitive values of one case database's records."""

    def __init__(self, engine: Engine, env: dict[str, str] | None = None) -> None:
        self.engine = engine
        self.env = dict(os.environ) if env is None else env
        self._keys: MultiFernet | None = None

    @property
    def path(self) -> Path:
        return key_path(self.engine, "data-key", self.env, KEY_FILE_ENV)

    def _load(self, create: bool) -> MultiFernet | None:
        if self._keys is not None:
            return self._keys
        if self.env.get(KEYS_ENV):
            keys = [key.strip() for key in self.env[KEYS_ENV].split(",") if key.strip()]
        else:
            if not self.path.exists():
                if not create:
                    return None
                write_new(self.path, json.dumps({"keys": [Fernet.generate_key().decode()]}).encode())
            try:
                keys = list(json.loads(self.path.read_text(encoding="utf-8"))["keys"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise ClearsightError(f"cannot read the data key file {self.path}: {exc}") from None
        try:
            self._keys = MultiFernet([Fernet(key) for key in keys])
        except (ValueError, TypeError) as exc:
            raise ClearsightError(f"a data key is not a Fernet key (32 url-safe base64 bytes): {exc}") from None
        return self._keys

    def seal(self, record: dict[str, Any], kind: str) -> dict[str, Any]:
        """The record as it is stored: each sensitive value sealed (`kind`: provenance or modelfile)."""
        keys = self._load(create=True)
        assert keys is not None
        return _each_sensitive(record, kind, lambda value: value if _sealed(value) else {SEALED: keys.encrypt(json.dumps(value).encode()).decode()})

    def seal_value(self, value: Any) -> str:
        """One JSON value sealed whole (an exchange's credentials), as its Fernet token."""
        keys = self._load(create=True)
        assert keys is not None
        return keys.encrypt(json.dumps(value).encode()).decode()

    def open_value(self, token: str) -> Any:
        """A value `seal_value` sealed; ClearsightError when its key is not available."""
        keys = self._load(create=False)
        try:
            if keys is None:
                raise InvalidToken
            return json.loads(keys.decrypt(token.encode()))
        except InvalidToken:
            raise ClearsightError(f"the sealed value cannot be opened: its data key is not available ({self.path} or {KEYS_ENV})") from None

    def open(self, record: dict[str, Any] | None, kind: str) -> dict[str, Any] | None:
        """The record as it was made: each sealed value opened (or marked if its key is gone)."""
        if record is None:
            return None
        keys = self._load(create=False)

        def opened(value: Any) -> Any:
            if not _sealed(value):
                return value
            try:
                return json.loads(keys.decrypt(value[SEALED].encode())) if keys is not None else UNOPENED
            except InvalidToken:
                return UNOPENED

        return _each_sensitive(record, kind, opened)

    def rotate(self, reseal: Callable[[Callable[[dict[str, Any], str], dict[str, Any]]], int]) -> int:
        """Make a new key, re-seal every record under it with `reseal` (which applies the function
        it is given to every stored record and returns how many it changed), then drop the old
        keys. Safe to run again after a crash: until the end the key file holds old and new."""
        if self.env.get(KEYS_ENV):
            raise ClearsightError(f"the data keys come from {KEYS_ENV}: put a new key first there, run `keys rotate` with it, then drop the old ones")
        old = self._load(create=True)
        assert old is not None
        held = json.loads(self.path.read_text(encoding="utf-8"))["keys"]
        new = Fernet.generate_key().decode()
        replace_file(self.path, json.dumps({"keys": [new, *held]}).encode())
        self._keys = MultiFernet([Fernet(key) for key in [new, *held]])
        keys = self._keys

        def resealed_value(value: Any) -> Any:
            if not _sealed(value):
                return {SEALED: keys.encrypt(json.dumps(value).encode()).decode()}
            try:
                return {SEALED: keys.rotate(value[SEALED].encode()).decode()}
            except InvalidToken:  # sealed under a key no longer held: it stays as unopenable as it was
                return value

        def resealed(record: dict[str, Any], kind: str) -> dict[str, Any]:
            return _each_sensitive(record, kind, resealed_value)

        changed = reseal(resealed)
        replace_file(self.path, json.dumps({"keys": [new]}).encode())
        self._keys = MultiFernet([Fernet(new)])
        return changed
