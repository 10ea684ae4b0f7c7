"""Migrations: single head, up from empty and back down step by step, models == migrations.

(pytest-alembic would give these, but its plugin does not load under pytest 9.)
"""

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

from factories import PG_URL, TEST_DB
from vr_booking.db import make_engine
from vr_booking.migrations import alembic_config, downgrade, upgrade

PG_MIGRATIONS_DB = PG_URL.rsplit("/", 1)[1] + "_migrations"


def _empty_postgres_database() -> str:
    """A separate, empty PostgreSQL database (the main test database stays migrated)."""
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                              {"n": PG_MIGRATIONS_DB}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{PG_MIGRATIONS_DB}"'))
    admin.dispose()
    url = PG_URL.rsplit("/", 1)[0] + f"/{PG_MIGRATIONS_DB}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture
def empty_db_url(tmp_path) -> str:
    if TEST_DB == "postgres":
        return _empty_postgres_database()
    return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"


@pytest.fixture
def empty_engine(empty_db_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_db_url)
    yield engine
    engine.dispose()


def _revisions() -> list[str]:
    """Every revision from the first to head."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_single_head_revision():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_models_match_migrations(empty_db_url: str, empty_engine: Engine):
    upgrade("head", empty_db_url)
    with empty_engine.connect() as conn:
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert differences == []


def test_each_step_goes_up_and_down(empty_db_url: str, empty_engine: Engine):
    for revision in _revisions():
        upgrade(revision, empty_db_url)
    for revision in reversed(_revisions()[:-1]):
        downgrade(revision, empty_db_url)
    downgrade("base", empty_db_url)
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade("head", empty_db_url)
    assert set(SQLModel.metadata.tables) <= set(inspect(empty_engine).get_table_names())
