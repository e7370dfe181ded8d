"""Open the case database: SQLite by default, PostgreSQL by URL, migrated to the latest schema.

SQLite runs in WAL mode with `synchronous=NORMAL`: each committed transaction survives a killed
process (SIGKILL), which is what resuming a scan needs, without an fsync per commit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from clearsight.config import database_url
from clearsight.errors import ClearsightError

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_CACHE_KIB = 256 * 1024
"""SQLite page cache per connection (its default is 2 MiB): bank imports insert hashes in random
order into indexes of hundreds of MB, and with a small cache every insert rereads pages."""


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
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
