"""The booking lock scheme on PostgreSQL (``vr_booking.db.locking``), with real connections:
a booking holds its centre shared and its slot (and the slots overlapping it) exclusively,
so a booking of another slot of the same centre goes through at once, while a booking of
the same or an overlapping slot, or a pool change of the centre, waits.

SQLite has a single writer (``BEGIN IMMEDIATE``): there every writer waits on every other,
which the race tests in ``tests/concurrency`` cover on both databases.
"""

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from factories import TEST_DB, OpenAccess
from vr_booking.config import Settings
from vr_booking.db import LockTimeout, lock_centres, lock_people, lock_slots
from vr_booking.models import Booking, BookingStatus, SessionKind, VRSession, utcnow
from vr_booking.services.open_access.booking import BookingInput, create_booking

pytestmark = pytest.mark.skipif(TEST_DB != "postgres", reason="row and advisory locks are "
                                "PostgreSQL's; SQLite serialises every writer")


@pytest.fixture
def slots(db: Session, make_open_access) -> tuple[OpenAccess, VRSession, VRSession, VRSession]:
    """The centre, its first slot, the next one (no overlap) and one overlapping the first."""
    place = make_open_access(headsets=3)
    first, second = place.slots[0], place.slots[1]
    assert first.ends_at <= second.starts_at
    crossing = VRSession(centre_id=place.centre.id, kind=SessionKind.open_access,
                         starts_at=first.starts_at + timedelta(minutes=10),
                         ends_at=first.ends_at)  # still clear of the second
    db.add(crossing)
    db.commit()
    return place, first, second, crossing


@pytest.fixture
def patient(settings: Settings) -> Settings:
    return settings.model_copy(update={"lock_timeout_seconds": 0.3})


@pytest.fixture
def holder(engine: Engine, patient: Settings) -> Iterator[Session]:
    """A booking transaction left open, as if its request were still running."""
    with Session(engine, info={"settings": patient}) as session:
        yield session
        session.rollback()


def _book(engine: Engine, settings: Settings, slot: VRSession,
          email: str | None = None) -> Booking:
    with Session(engine, info={"settings": settings}, expire_on_commit=False) as session:
        result = create_booking(session, BookingInput(
            slot_id=slot.id, name="Ines", email=email, age_confirmed=True, health_ack=True),
            utcnow())
        session.commit()
        return result.booking


def _times_out(engine: Engine, settings: Settings, lock, ids: list[int]) -> bool:
    with Session(engine, info={"settings": settings}) as session:
        try:
            lock(session, ids)
        except LockTimeout:
            return True
        return False


def test_a_booking_of_another_slot_of_the_centre_does_not_wait(engine, patient, holder,
                                                              slots):
    _place, first, second, _crossing = slots
    lock_slots(holder, [first.id])
    booking = _book(engine, patient, second)  # would raise LockTimeout if it waited
    assert booking.status == BookingStatus.confirmed


def test_a_booking_of_the_same_or_an_overlapping_slot_waits(engine, patient, holder, slots):
    _place, first, second, crossing = slots
    lock_slots(holder, [first.id])
    with pytest.raises(LockTimeout):
        _book(engine, patient, first)
    assert _times_out(engine, patient, lock_slots, [crossing.id])
    assert not _times_out(engine, patient, lock_slots, [second.id])


def test_a_booking_holds_the_slots_that_began_before_it_and_overlap_it(engine, patient, holder,
                                                                      slots):
    _place, first, second, crossing = slots
    lock_slots(holder, [crossing.id])  # began 10 minutes after the first, overlaps it
    with pytest.raises(LockTimeout):
        _book(engine, patient, first)
    assert not _times_out(engine, patient, lock_slots, [second.id])


def test_a_pool_change_waits_for_the_bookings_and_then_goes_on(engine, settings, patient,
                                                               holder, slots, db):
    place, first, _second, _crossing = slots
    lock_slots(holder, [first.id])
    assert _times_out(engine, patient, lock_centres, [place.centre.id])
    done = threading.Event()

    def pool_change() -> None:
        with Session(engine, info={"settings": settings}) as session:
            lock_centres(session, [place.centre.id])
            done.set()

    waiter = threading.Thread(target=pool_change)
    waiter.start()
    assert not done.wait(0.5)  # still waiting on the booking's shared lock
    holder.commit()
    waiter.join(timeout=30)
    assert done.is_set()


def test_a_booking_waits_for_a_pool_change(engine, patient, holder, slots, db):
    place, first, _second, _crossing = slots
    lock_centres(holder, [place.centre.id])
    with pytest.raises(LockTimeout):
        _book(engine, patient, first)
    holder.rollback()
    _book(engine, patient, first)
    assert db.exec(select(func.count()).select_from(Booking)).one() == 1


def test_one_persons_bookings_of_two_slots_wait_on_each_other(engine, patient, holder, slots):
    """Their limits (one booking a slot, N upcoming) count across slots."""
    _place, first, second, _crossing = slots
    lock_slots(holder, [first.id])
    lock_people(holder, ["email:ines@example.org"])
    with pytest.raises(LockTimeout):
        _book(engine, patient, second, email="Ines@Example.org")
    assert _book(engine, patient, second, email="other@example.org").status == "confirmed"
