"""The Alembic migrations build exactly the schema the models describe, on both databases, and a
database at their head opens without running them."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from clearsight.config import database_url
from clearsight.store.db import HEAD_REVISION, MIGRATIONS, at_head, open_engine
from clearsight.store.models import Base


def test_migrated_schema_matches_the_models(db: str) -> None:
    engine = open_engine(db)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_opening_twice_is_harmless(db: str) -> None:
    open_engine(db)
    open_engine(db)


def test_the_head_revision_opened_without_alembic_is_alembics_own_head() -> None:
    scripts = ScriptDirectory.from_config(_config())
    assert scripts.get_current_head() == HEAD_REVISION


def test_a_database_of_an_older_revision_is_still_upgraded(tmp_path: Path) -> None:
    location = str(tmp_path / "old.db")
    engine = create_engine(database_url(location))
    with engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
    assert not at_head(engine)
    assert at_head(open_engine(location))


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
