"""One survey answer per ticket and per participant, even when the same answer is sent many
times at once to a running two-worker server (on SQLite or PostgreSQL, see conftest).

What holds it is the database: ``feedback.booking_id`` and ``feedback.participant_id`` are
unique, and the service turns the losing insert into "already answered". The control drops
the unique constraint and sends the same burst: the check before the insert alone lets
duplicates through (PostgreSQL; SQLite serialises every write with ``BEGIN IMMEDIATE``).
"""

import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from factories import race_control, start_server, stop_server
from vr_booking.models import Booking, Centre, Feedback, Participant, VRSession, utcnow

SENDERS = 16
CONTROL_ATTEMPTS = 3  # bursts the control may need to show a duplicate
ANSWER = {"learned": True, "go_further": False, "discomfort": False, "rating": 8}


@pytest.fixture
def visitors(db: Session):
    """Ana checked in to a slot that began 30 minutes ago; a workshop participant W-01."""
    centre = Centre(slug="hub", name="Hub", kind="hub")
    db.add(centre)
    db.flush()
    start = utcnow() - timedelta(minutes=30)
    slot = VRSession(centre_id=centre.id, kind="open_access", starts_at=start,
                     ends_at=start + timedelta(minutes=20))
    group = VRSession(centre_id=centre.id, kind="workshop", starts_at=start,
                      ends_at=start + timedelta(hours=2))
    db.add_all([slot, group])
    db.flush()
    ana = Booking(session_id=slot.id, token=secrets.token_urlsafe(16), short_code="RACE0001",
                  name="Ana", status="checked_in")
    db.add_all([ana, Participant(session_id=group.id, code="W-01", checked_in_at=start)])
    db.commit()
    return ana


@pytest.fixture
def server(visitors, db_url, tmp_path):
    running = start_server(db_url, tmp_path / "server", workers=2)
    yield running
    stop_server(running)


def burst(url: str, body: dict) -> Counter:
    """SENDERS clients send the same answer at once: how many got each status."""
    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        return Counter(pool.map(lambda _n: httpx.post(
            f"{url}/api/v1/feedback", json={**ANSWER, **body}, timeout=120).status_code,
            range(SENDERS)))


def answers(db: Session, **where) -> int:
    """Stored answers, read afresh; the read transaction ends at once (the control alters
    the table next)."""
    db.commit()
    query = select(func.count()).select_from(Feedback)
    for column, value in where.items():
        query = query.where(getattr(Feedback, column) == value)
    count = db.exec(query).one()
    db.commit()
    return count


def test_one_answer_per_ticket_under_a_burst(server, visitors, db: Session):
    statuses = burst(server.url, {"token": visitors.token})
    assert statuses == Counter({201: 1, 409: SENDERS - 1})
    assert answers(db, booking_id=visitors.id) == 1


def test_one_answer_per_participant_under_a_burst(server, db: Session):
    statuses = burst(server.url, {"participant_code": "W-01"})
    assert statuses == Counter({201: 1, 409: SENDERS - 1})
    assert answers(db) == 1


@race_control
def test_control_without_the_unique_constraint_the_burst_duplicates(visitors, db_url,
                                                                    tmp_path, engine,
                                                                    db: Session):
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE feedback DROP CONSTRAINT uq_feedback_booking_id"))
    running = start_server(db_url, tmp_path / "server", workers=2)
    try:
        stored = 0
        for _attempt in range(CONTROL_ATTEMPTS):  # a burst races most times, not every time
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM feedback"))
            burst(running.url, {"token": visitors.token})
            stored = answers(db, booking_id=visitors.id)
            if stored > 1:
                break
    finally:
        stop_server(running)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM feedback"))
            conn.execute(text("ALTER TABLE feedback ADD CONSTRAINT uq_feedback_booking_id "
                              "UNIQUE (booking_id)"))
    assert stored > 1
