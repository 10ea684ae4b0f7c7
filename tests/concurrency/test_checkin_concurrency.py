"""Several desks at once against a running two-worker server: one check-in, no extra walk-in.

Runs on whichever database the suite uses (SQLite or PostgreSQL, see conftest). The server
runs on the real clock, so the slot here starts now (the fixture's slots are next week). The
controls send the same requests to a server whose centre lock does nothing
(``unlocked_server.py``) and see the races happen.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, func, select

from factories import race_control, start_server, start_unlocked_server, stop_server
from vr_booking.models import Booking, Participant
from vr_booking.services.open_access.booking import BookingInput, create_booking

DESKS = 12
FREE_SEATS = 2  # 2 bookable + 1 reserve, Ana holds one


@pytest.fixture
def ana_booked(db: Session, make_open_access, make_slot_now, make_staff, make_token):
    """A slot starting now (3 headsets, 1 kept for walk-ins), Ana booked, a staff token."""
    open_access = make_open_access("hub", headsets=3, reserve=1)
    slot = make_slot_now(open_access)
    start = slot.starts_at
    booking = create_booking(db, BookingInput(slot_id=slot.id, name="Ana", age_confirmed=True,
                                              health_ack=True), start - timedelta(hours=1))
    db.commit()
    make_staff("fac@example.org", centres=("hub",))
    auth = {"Authorization": f"Bearer {make_token('fac@example.org')}"}
    return slot, booking.booking, auth


@pytest.fixture
def busy_desk(ana_booked, db_url, tmp_path):
    server = start_server(db_url, tmp_path / "server", workers=2)
    yield server, *ana_booked
    stop_server(server)


@pytest.fixture
def unlocked_desk(ana_booked, db_url, tmp_path):
    server = start_unlocked_server(db_url, tmp_path / "server")
    yield server, *ana_booked
    stop_server(server)


def check_in_burst(url: str, booking: Booking, auth: dict) -> list[httpx.Response]:
    """DESKS desks check in the same ticket at once, by token or by typed code."""
    bodies = [{"token": booking.token} if n % 2 else {"code": booking.short_code.lower()}
              for n in range(DESKS)]
    with ThreadPoolExecutor(max_workers=DESKS) as pool:
        return list(pool.map(lambda body: httpx.post(
            f"{url}/api/v1/checkins", json=body, headers=auth, timeout=120), bodies))


def walk_in_burst(url: str, slot_id: int, auth: dict) -> list[int]:
    """DESKS desks add a walk-in to the same slot at once: the status codes."""
    with ThreadPoolExecutor(max_workers=DESKS) as pool:
        return list(pool.map(lambda _n: httpx.post(
            f"{url}/api/v1/walk-ins", json={"slot_id": slot_id}, headers=auth,
            timeout=120).status_code, range(DESKS)))


def walk_ins(db: Session, slot_id: int) -> int:
    db.commit()
    return db.exec(select(func.count()).select_from(Participant).where(
        Participant.session_id == slot_id)).one()


def test_desks_checking_in_the_same_ticket_at_once_make_one_check_in(busy_desk, db: Session):
    server, _slot, booking, auth = busy_desk
    answers = check_in_burst(server.url, booking, auth)

    assert [a.status_code for a in answers] == [200] * DESKS
    assert Counter(a.json()["already"] for a in answers) == {False: 1, True: DESKS - 1}
    assert len({a.json()["checked_in_at"] for a in answers}) == 1  # one check-in, kept
    db.commit()
    stored = db.exec(select(Booking).where(Booking.id == booking.id)
                     .execution_options(populate_existing=True)).one()
    assert stored.status == "checked_in"


@race_control
def test_control_without_the_centre_lock_one_ticket_is_checked_in_several_times(
        unlocked_desk):
    server, _slot, booking, auth = unlocked_desk
    answers = check_in_burst(server.url, booking, auth)
    first_times = Counter(a.json().get("already") for a in answers if a.status_code == 200)
    print(f"\ncheck-ins answered as the first of {DESKS}: {first_times[False]}")
    assert first_times[False] > 1, first_times


def test_desks_adding_walk_ins_at_once_never_exceed_the_free_seats(busy_desk, db: Session):
    server, slot, _booking, auth = busy_desk
    codes = walk_in_burst(server.url, slot.id, auth)

    assert Counter(codes) == {201: FREE_SEATS, 409: DESKS - FREE_SEATS}
    assert walk_ins(db, slot.id) == FREE_SEATS


@race_control
def test_control_without_the_centre_lock_walk_ins_exceed_the_free_seats(unlocked_desk,
                                                                        db: Session):
    server, slot, _booking, auth = unlocked_desk
    codes = walk_in_burst(server.url, slot.id, auth)
    print(f"\nwalk-ins added for {FREE_SEATS} free seats: {walk_ins(db, slot.id)}")
    assert Counter(codes)[201] > FREE_SEATS
    assert walk_ins(db, slot.id) > FREE_SEATS
