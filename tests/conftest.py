"""Shared fixtures: case databases on SQLite and on the real PostgreSQL server, and benign media."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

PG_URL = os.environ.get("CLEARSIGHT_TEST_PG", "postgresql://127.0.0.1:5432/test")
REFERENCE = Path(os.environ.get("CLEARSIGHT_REFERENCE", Path(__file__).resolve().parents[2] / "shared" / "reference")) / "threatexchange"


@pytest.fixture(autouse=True, scope="session")
def _audit_keys_in_a_scratch_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Server databases keep their audit key under $XDG_CONFIG_HOME: the tests' keys go in a
    scratch folder (the test process and the commands it runs share it), not the user's home."""
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))


def _pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"clearsight_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield PG_URL.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A case database location (file path or URL), once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield str(tmp_path / "case.db")
    else:
        yield from _pg_database()


@pytest.fixture
def reference() -> Path:
    if not REFERENCE.is_dir():
        pytest.fail(f"reference vectors missing at {REFERENCE}")
    return REFERENCE
