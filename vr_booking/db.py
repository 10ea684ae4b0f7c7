"""Engine, sessions and the locking helpers every racing write goes through.

SQLite: WAL, a busy timeout and ``BEGIN IMMEDIATE`` for every transaction, so two writers
queue instead of both reading a stale count (plain deferred ``BEGIN`` made concurrent
writers fail with "database is locked"; see STACK-NOTES). PostgreSQL: ``SELECT … FOR
UPDATE`` on the parent row via :func:`lock_row`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, create_engine, select

from vr_booking.config import get_settings

T = TypeVar("T", bound=SQLModel)
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


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def lock_row(session: Session, model: type[T], row_id: int) -> T | None:
    """Load a row and lock it for the rest of the transaction.

    PostgreSQL takes a row lock (``FOR UPDATE``); SQLite ignores the clause, but there the
    whole transaction already holds the write lock from ``BEGIN IMMEDIATE``.
    """
    statement = select(model).where(model.id == row_id).with_for_update()  # type: ignore[attr-defined]
    return session.exec(statement).first()
