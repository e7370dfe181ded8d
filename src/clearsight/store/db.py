"""Open the case database: SQLite by default, PostgreSQL by URL, migrated to the latest schema.

SQLite runs in WAL mode with `synchronous=NORMAL`: each committed transaction survives a killed
process (SIGKILL), which is what resuming a scan needs, without an fsync per commit.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from clearsight.config import database_url
from clearsight.errors import ClearsightError

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD_REVISION = "0016"
"""The newest migration's revision (a test holds it to Alembic's own head): a database already
there is opened without importing Alembic and loading its scripts (0.15 to 0.37 s of imports in
this machine's profiles of `bank` and `scan`)."""
SQLITE_CACHE_KIB = 128 * 1024
"""SQLite page cache per connection (its default is 2 MiB): bank imports insert hashes in random
order into indexes of hundreds of MB, and with a small cache every insert rereads pages. A 1M-row
import took 128.5 s with 128 MiB and 134.6 s with 256 (the same code otherwise), and peaked at
279 MB instead of 495."""


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


SCHEMA_LOCK_KEY = 0x436C65617253  # "ClearS"
"""PostgreSQL advisory lock held while the schema is created or upgraded."""


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    """Hold an exclusive lock on `<database file>.lock` (SQLite); nothing for other databases or in memory."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    try:
        lock = open(database + ".lock", "a")  # noqa: SIM115 - closed by the `with` below
    except OSError:  # a read-only folder: no schema can be made there either, so there is no race to stop
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def at_head(engine: Engine) -> bool:
    """True when the database's schema is at `HEAD_REVISION` (False for a new database)."""
    try:
        with engine.connect() as connection:
            return bool(connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION)
    except DBAPIError:
        return False


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision, one process at a time.

    Two scans started together on a new case database would otherwise both see no schema and
    both create it, and one would fail; under the lock the second finds the schema made."""
    if at_head(engine):
        return
    # Imported here: only a database that needs a migration pays for loading Alembic.
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _file_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_engine(db: str) -> Engine:
    """An engine on `db` (file path or URL) with the schema migrated; one-line errors on failure."""
    try:
        engine = create_engine(database_url(db))
    except (SQLAlchemyError, ValueError) as exc:
        raise ClearsightError(f"cannot use database {db!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc)
        raise ClearsightError(f"cannot open database {engine.url.render_as_string(hide_password=True)}: {reason}") from None
    return engine
