"""Several desks at once against a running two-worker server: one check-in, no extra walk-in.

Runs on whichever database the suite uses (SQLite or PostgreSQL, see conftest). The server
runs on the real clock, so the slot here starts now (the fixture's slots are next week).
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, func, select

from conftest import start_server, stop_server
from vr_booking.models import Booking, Participant
from vr_booking.services.open_access.booking import BookingInput, create_booking

DESKS = 12


@pytest.fixture
def busy_desk(db: Session, db_url, tmp_path, make_open_access, make_slot_now, make_staff,
              make_token):
    """A slot starting now (3 headsets, 1 kept for walk-ins), Ana booked, a staff token."""
    open_access = make_open_access("hub", headsets=3, reserve=1)
    slot = make_slot_now(open_access)
    start = slot.starts_at
    booking = create_booking(db, BookingInput(slot_id=slot.id, name="Ana", age_confirmed=True,
                                              health_ack=True), start - timedelta(hours=1))
    db.commit()
    make_staff("fac@example.org", centres=("hub",))
    auth = {"Authorization": f"Bearer {make_token('fac@example.org')}"}
    server = start_server(db_url, tmp_path / "server", workers=2)
    yield server, slot, booking.booking, auth
    stop_server(server)


def test_desks_checking_in_the_same_ticket_at_once_make_one_check_in(busy_desk, db: Session):
    server, _slot, booking, auth = busy_desk
    bodies = [{"token": booking.token} if n % 2 else {"code": booking.short_code.lower()}
              for n in range(DESKS)]
    with ThreadPoolExecutor(max_workers=DESKS) as pool:
        answers = list(pool.map(lambda body: httpx.post(
            f"{server.url}/api/v1/checkins", json=body, headers=auth, timeout=120), bodies))

    assert [a.status_code for a in answers] == [200] * DESKS
    assert Counter(a.json()["already"] for a in answers) == {False: 1, True: DESKS - 1}
    assert len({a.json()["checked_in_at"] for a in answers}) == 1  # one check-in, kept
    db.commit()
    stored = db.exec(select(Booking).where(Booking.id == booking.id)
                     .execution_options(populate_existing=True)).one()
    assert stored.status == "checked_in"


def test_desks_adding_walk_ins_at_once_never_exceed_the_free_seats(busy_desk, db: Session):
    server, slot, _booking, auth = busy_desk  # 2 bookable + 1 reserve, Ana holds one: 2 free
    with ThreadPoolExecutor(max_workers=DESKS) as pool:
        codes = list(pool.map(lambda _n: httpx.post(
            f"{server.url}/api/v1/walk-ins", json={"slot_id": slot.id}, headers=auth,
            timeout=120).status_code, range(DESKS)))

    assert Counter(codes) == {201: 2, 409: DESKS - 2}
    db.commit()
    assert db.exec(select(func.count()).select_from(Participant).where(
        Participant.session_id == slot.id)).one() == 2
