"""A booking of a slot found full a moment ago is refused from what is committed, without
waiting for the locks that a booking in progress holds (the slot's on PostgreSQL, the
database's write lock on SQLite): in a rush, most visitors arrive once the slot and its
waiting list are full. Whatever would be accepted still waits for the locks
(``test_booking_locks.py``), and the hint never changes an answer."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from factories import confirmed_bookings, waitlisted_bookings
from vr_booking.config import Settings
from vr_booking.db import lock_slots
from vr_booking.models import Booking, VRSession, utcnow
from vr_booking.services.errors import Conflict
from vr_booking.services.open_access import full_slots
from vr_booking.services.open_access.booking import BookingInput, create_booking


@pytest.fixture
def patient(settings: Settings) -> Settings:
    """A short lock wait on PostgreSQL: a booking that waited would fail in 0.3 s."""
    return settings.model_copy(update={"lock_timeout_seconds": 0.3})


@pytest.fixture
def full_slot(db: Session, make_open_access, settings: Settings) -> VRSession:
    """One headset: its seat taken by ines@example.org, its waiting list full."""
    slot = make_open_access(headsets=1).slots[0]
    seat, = confirmed_bookings(db, slot, 1)
    seat.email = "ines@example.org"
    db.add(seat)
    db.commit()
    waitlisted_bookings(db, slot, settings.waitlist_size)
    return slot


@pytest.fixture
def booking_in_progress(engine: Engine, patient: Settings,
                        full_slot: VRSession) -> Iterator[None]:
    """A first visitor told the slot is full (this process now knows it), then another
    booking of the slot, its transaction still open with its locks."""
    assert _refusal(engine, patient, full_slot) == "slot_full"
    with Session(engine, info={"settings": patient}) as holder:
        holder.connection()  # SQLite: BEGIN IMMEDIATE, the write lock
        lock_slots(holder, [full_slot.id])  # PostgreSQL: the slot's row locks
        yield
        holder.rollback()


def _refusal(engine: Engine, settings: Settings, slot: VRSession,
             email: str | None = None) -> str:
    with Session(engine, info={"settings": settings}) as session, \
            pytest.raises(Conflict) as refused:
        create_booking(session, BookingInput(slot_id=slot.id, name="Nour", email=email,
                                             age_confirmed=True, health_ack=True), utcnow())
    return refused.value.code


def test_a_full_slot_is_refused_at_once_while_a_booking_holds_the_locks(
        engine, patient, full_slot, booking_in_progress, db):
    assert _refusal(engine, patient, full_slot) == "slot_full"
    assert _refusal(engine, patient, full_slot, "nour@example.org") == "slot_full"
    assert db.exec(select(func.count()).select_from(Booking)).one() == 1 + patient.waitlist_size


def test_the_refusal_without_locks_gives_the_same_answer_as_the_locked_one(
        engine, patient, full_slot, booking_in_progress):
    """Same checks in the same order: a person holding the slot's seat is told so, not that
    the slot is full."""
    assert _refusal(engine, patient, full_slot, "Ines@Example.org") == "already_booked"


def test_a_slot_thought_full_that_has_room_again_is_booked(engine, patient, full_slot, db):
    """The hint outlives a cancellation: the unlocked questions pass, the locked ones
    book the freed seat, and the hint is dropped."""
    assert _refusal(engine, patient, full_slot) == "slot_full"
    assert full_slots.seems_full(full_slot.id)
    seat = db.exec(select(Booking).where(Booking.status == "confirmed")).one()
    seat.status = "cancelled"
    db.add(seat)
    db.commit()
    with Session(engine, info={"settings": patient}, expire_on_commit=False) as session:
        booked = create_booking(session, BookingInput(
            slot_id=full_slot.id, name="Nour", age_confirmed=True, health_ack=True), utcnow())
        session.commit()
    assert booked.booking.status == "confirmed"
    assert not full_slots.seems_full(full_slot.id)
