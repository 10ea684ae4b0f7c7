"""The centre lock's bounded wait (``vr_booking.db.locking``): which database errors mean
"waited too long for a lock", and on PostgreSQL, :func:`lock_centres` gives up with
:class:`LockTimeout` after ``lock_timeout_seconds`` while another transaction holds the row.

The web layer's answer to a timeout (503 with ``Retry-After``) is tested in
``api/test_lock_wait.py``.
"""

import sqlite3
import time as clock
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from factories import TEST_DB
from vr_booking.config import Settings
from vr_booking.db import LockTimeout, is_lock_failure, lock_centres
from vr_booking.models import Centre


def _sqlite_lock_error(path: Path) -> OperationalError:
    """The error SQLite really raises when another connection holds the write lock."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        with engine.connect() as conn, pytest.raises(OperationalError) as error:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        return error.value
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()


def test_sqlites_database_is_locked_is_a_lock_timeout(tmp_path: Path):
    error = _sqlite_lock_error(tmp_path / "locked.sqlite3")
    assert "database is locked" in str(error.orig)
    assert is_lock_failure(error)


def test_postgresqls_lock_not_available_is_a_lock_timeout():
    orig = SimpleNamespace(sqlstate="55P03")  # what psycopg's error carries
    assert is_lock_failure(OperationalError("SELECT …", {}, orig))


def test_a_deadlock_postgresql_broke_is_a_lock_failure():
    orig = SimpleNamespace(sqlstate="40P01")  # deadlock_detected
    assert is_lock_failure(OperationalError("INSERT …", {}, orig))


def test_other_database_errors_are_not_lock_timeouts(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with engine.connect() as conn, pytest.raises(OperationalError) as error:
        conn.execute(text("SELECT * FROM no_such_table"))
    engine.dispose()
    assert not is_lock_failure(error.value)
    assert not is_lock_failure(OperationalError("SELECT …", {}, SimpleNamespace(
        sqlstate="57014")))  # query_canceled


@pytest.mark.skipif(TEST_DB != "postgres", reason="SELECT … FOR UPDATE and lock_timeout are "
                    "PostgreSQL's; SQLite's wait is its busy timeout (api/test_lock_wait.py)")
def test_lock_centres_gives_up_after_the_bounded_wait(engine: Engine, db: Session,
                                                      settings: Settings):
    centre = Centre(slug="hub", name="Hub")
    db.add(centre)
    db.commit()
    patient = settings.model_copy(update={"lock_timeout_seconds": 0.3})
    with engine.connect() as holder:
        holder.begin()
        holder.execute(select(Centre.id).where(Centre.id == centre.id).with_for_update())
        with Session(engine, info={"settings": patient}) as waiting:
            started = clock.monotonic()
            with pytest.raises(LockTimeout):
                lock_centres(waiting, [centre.id])
            waited = clock.monotonic() - started
        holder.rollback()
    assert 0.25 <= waited < 3
    with Session(engine, info={"settings": patient}) as free:
        lock_centres(free, [centre.id])  # once released, the lock is had at once
        free.rollback()
