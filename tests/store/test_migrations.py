"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from clearsight.store.db import open_engine
from clearsight.store.models import Base


def test_migrated_schema_matches_the_models(db: str) -> None:
    engine = open_engine(db)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_opening_twice_is_harmless(db: str) -> None:
    open_engine(db)
    open_engine(db)
