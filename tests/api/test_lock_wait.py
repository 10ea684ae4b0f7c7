"""A booking that cannot have the centre's lock in time is answered "busy, try again": 503
with ``Retry-After``, ``{"detail": …}`` in the API and the error page on the site, and it
stores nothing. On PostgreSQL another transaction holds the centre row (``SELECT … FOR
UPDATE``) past ``lock_timeout_seconds``; on SQLite another connection holds the database's
write lock past the busy timeout."""

import sqlite3
import time as clock
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, func, select

from factories import TEST_DB, csrf_from
from vr_booking.config import Settings
from vr_booking.db import make_engine
from vr_booking.models import Booking, Centre
from vr_booking.web.app import create_app
from vr_booking.web.errors import RETRY_AFTER_SECONDS

WAIT_SECONDS = 0.5


@contextmanager
def centre_row_locked(engine: Engine, centre_id: int) -> Iterator[None]:
    """PostgreSQL: another transaction holds the centre row, as a racing booking would."""
    with engine.connect() as holder:
        holder.begin()
        holder.execute(select(Centre.id).where(Centre.id == centre_id).with_for_update())
        try:
            yield
        finally:
            holder.rollback()


@contextmanager
def database_write_locked(db_url: str) -> Iterator[None]:
    """SQLite: another connection holds the write lock (``BEGIN IMMEDIATE``)."""
    holder = sqlite3.connect(make_url(db_url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


@pytest.fixture
def patient_app(settings: Settings, engine: Engine, db_url: str) -> FastAPI:
    """The app waiting WAIT_SECONDS for a lock (on SQLite: a busy timeout that short)."""
    if TEST_DB == "postgres":
        return create_app(settings.model_copy(update={"lock_timeout_seconds": WAIT_SECONDS}),
                          engine)
    quick = make_engine(db_url)

    @event.listens_for(quick, "connect")
    def _short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(WAIT_SECONDS * 1000)}")

    return create_app(settings, quick)


@pytest.fixture
def patient_client(patient_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(patient_app) as client:
        yield client
    patient_app.state.engine.dispose()


@contextmanager
def locked(engine: Engine, db_url: str, centre_id: int) -> Iterator[None]:
    """The lock a booking at this centre needs, held by someone else (on either database)."""
    if TEST_DB == "postgres":
        with centre_row_locked(engine, centre_id):
            yield
    else:
        with database_write_locked(db_url):
            yield


def _bookings(db: Session) -> int:
    db.commit()
    return db.exec(select(func.count()).select_from(Booking)).one()


BODY = {"name": "Ana", "age_confirmed": True, "health_ack": True}


def test_api_booking_answers_busy_after_the_bounded_wait(patient_client, engine, db_url, db,
                                                         make_open_access):
    open_access = make_open_access()
    slot = open_access.slots[0]
    with locked(engine, db_url, open_access.centre.id):
        started = clock.monotonic()
        busy = patient_client.post("/api/v1/bookings", json={"slot_id": slot.id, **BODY})
        waited = clock.monotonic() - started
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert busy.json()["code"] == "busy"
    assert busy.json()["detail"]
    assert WAIT_SECONDS * 0.8 <= waited < 10  # it waited, boundedly
    assert _bookings(db) == 0

    again = patient_client.post("/api/v1/bookings", json={"slot_id": slot.id, **BODY})
    assert again.status_code == 201  # once the lock is free, trying again works
    assert _bookings(db) == 1


def test_booking_form_answers_the_busy_page_after_the_bounded_wait(patient_client, engine,
                                                                   db_url, db,
                                                                   make_open_access):
    open_access = make_open_access()
    slot = open_access.slots[0]
    form = {"csrftoken": csrf_from(patient_client, f"/book/{slot.id}"), "name": "Ana",
            "age_confirmed": "true", "health_ack": "true"}
    with locked(engine, db_url, open_access.centre.id):
        busy = patient_client.post(f"/book/{slot.id}?lang=en", data=form,
                                   follow_redirects=False)
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert 'class="site-header"' in busy.text
    assert "Please try again in a moment." in busy.text
    assert _bookings(db) == 0
