"""Where a case database's secrets live: outside the database, readable by its owner only.

A key kept in the database protects nothing against someone who can read or write the
database. Beside a SQLite case file a key is `case.db.<name>`; for a server database it is under
`$XDG_CONFIG_HOME/clearsight/<name>s/` (`~/.config` by default), named after the database's URL.
An environment variable can name another file. Files are written complete and then linked into
place, so two processes making the first key at once agree on one.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from sqlalchemy import Engine


def key_path(engine: Engine, name: str, env: dict[str, str], override: str) -> Path:
    """The file holding this database's `name` key; `env[override]`, when set, names it instead."""
    if env.get(override):
        return Path(env[override]).expanduser()
    if engine.dialect.name == "sqlite" and engine.url.database:
        return Path(f"{engine.url.database}.{name}")
    config = Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    digest = hashlib.sha256(engine.url.render_as_string(hide_password=True).encode()).hexdigest()[:24]
    return config / "clearsight" / f"{name}s" / f"{digest}.key"


def write_new(path: Path, body: bytes) -> bool:
    """Create `path` (mode 0600) holding `body` unless it exists; whether this call created it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(body)
    try:
        os.link(draft, path)
        return True
    except FileExistsError:
        return False
    finally:
        draft.unlink()


def replace_file(path: Path, body: bytes) -> None:
    """Replace `path` atomically with `body` (mode 0600): a reader sees the old or the new, whole."""
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(body)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(draft, path)
