"""Engines and sessions, with the transaction mode each database needs.

SQLite: WAL, a busy timeout and ``BEGIN IMMEDIATE`` for every write transaction, so that two
writers queue instead of both reading a stale count. A plain deferred ``BEGIN`` was correct
too, but made most concurrent writers fail at once with "database is locked" when both tried
to upgrade their read lock. Read-only requests ask for ``DEFERRED`` (``sqlite_begin``
execution option) so that they never wait behind writers.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from vr_booking.config import get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the pragmas and transaction mode we rely on."""
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    )
    _install_sqlite_hooks(engine)
    return engine


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let us emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE unless the caller asked for a read-only (deferred) transaction.
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {'DEFERRED' if mode == 'DEFERRED' else 'IMMEDIATE'}")


def reading(engine: Engine) -> Engine:
    """``engine`` for read-only transactions: on SQLite they begin ``DEFERRED``, so they
    neither wait for the single write lock nor keep writers waiting."""
    return engine.execution_options(sqlite_begin="DEFERRED")


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None, **info: Any) -> Iterator[Session]:
    """One unit of work outside a request (CLI, sweeps): commit on success, else roll back.

    ``info`` goes into ``session.info`` (the settings of the command, for instance).
    """
    with Session(engine or get_engine(), expire_on_commit=False, info=info) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
