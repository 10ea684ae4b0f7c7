"""Booking rules at the service level: capacity, waiting list, limits, cancel, change."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from vr_booking.models import (
    Allocation,
    Booking,
    BookingStatus,
    FaceCover,
    Loan,
    LoanHeadset,
    OutboxMessage,
    ServiceState,
    VRSession,
    utcnow,
)
from vr_booking.services.errors import Conflict, InvalidInput, NotFound
from vr_booking.services.open_access.booking import (
    BookingInput,
    cancel_booking,
    change_booking,
    create_booking,
)
from vr_booking.services.open_access.capacity import slot_load


def book(db: Session, slot: VRSession, name: str = "Ana", **fields) -> Booking:
    data = BookingInput(slot_id=slot.id, name=name, age_confirmed=True, health_ack=True,
                        **fields)
    result = create_booking(db, data, utcnow(), fields.get("browser_key"))
    db.commit()
    return result.booking


def test_capacity_is_headsets_in_service_minus_reserve(db: Session, make_open_access):
    oa = make_open_access(headsets=4, reserve=1)
    assert slot_load(db, oa.slots[0]).capacity == 3
    oa.headsets[0].service_state = ServiceState.maintenance
    oa.headsets[1].face_cover = FaceCover.foam
    db.add_all(oa.headsets)
    db.commit()
    assert slot_load(db, oa.slots[0]).capacity == 1


def test_group_allocation_with_buffer_shrinks_capacity(db: Session, make_open_access):
    oa = make_open_access(headsets=3)
    slot = oa.slots[0]
    workshop = VRSession(centre_id=oa.centre.id, kind="workshop", title="Atelier",
                         starts_at=slot.ends_at + timedelta(minutes=1),
                         ends_at=slot.ends_at + timedelta(hours=1))
    db.add(workshop)
    db.flush()
    db.add(Allocation(headset_id=oa.headsets[0].id, session_id=workshop.id,
                      starts_at=workshop.starts_at, ends_at=workshop.ends_at))
    db.commit()
    # The workshop starts 1 min after the slot ends: inside the 2-min cleaning buffer.
    assert slot_load(db, slot).capacity == 2


def test_lent_headsets_count_where_they_are(db: Session, make_open_access, make_centre):
    oa = make_open_access(headsets=3)
    other = make_centre("gap", timezone="Europe/Paris")
    day = oa.slots[0].starts_at.date()
    loan = Loan(from_centre_id=oa.centre.id, to_centre_id=other.id, start_date=day,
                end_date=day + timedelta(days=1), status="active")
    db.add(loan)
    db.flush()
    db.add(LoanHeadset.of(loan, oa.headsets[0].id))
    db.commit()
    assert slot_load(db, oa.slots[0]).capacity == 2
    later = next(s for s in oa.slots if s.starts_at.date() > day + timedelta(days=1))
    assert slot_load(db, later).capacity == 3


def test_seats_then_waiting_list_then_refusal(db: Session, make_open_access, monkeypatch):
    monkeypatch.setenv("VR_BOOKING_WAITLIST_SIZE", "1")
    from vr_booking.config import get_settings

    get_settings.cache_clear()
    try:
        slot = make_open_access(headsets=2).slots[0]
        statuses = [book(db, slot, f"P{n}").status for n in range(3)]
        assert statuses == ["confirmed", "confirmed", "waitlisted"]
        with pytest.raises(Conflict) as refused:
            book(db, slot, "P4")
        assert refused.value.code == "slot_full"
    finally:
        get_settings.cache_clear()
    assert len(db.exec(select(Booking)).all()) == 3


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"age_confirmed": False}, "age_confirmed"),
        ({"health_ack": False}, "health_ack"),
        ({"job_ids": [999_999]}, "job_ids"),
        ({"job_ids": [1, 2, 3, 4]}, "job_ids"),
    ],
)
def test_invalid_input_names_the_field_and_writes_nothing(db, make_open_access, fields, bad):
    slot = make_open_access().slots[0]
    data = {"slot_id": slot.id, "name": "Ana", "age_confirmed": True, "health_ack": True,
            **fields}
    with pytest.raises(InvalidInput) as error:
        create_booking(db, BookingInput(**data), utcnow())
    db.rollback()
    assert bad in error.value.fields
    assert db.exec(select(Booking)).all() == []


def test_unknown_or_past_slot_is_refused(db: Session, make_open_access):
    slot = make_open_access().slots[0]
    with pytest.raises(NotFound):
        book(db, VRSession(id=987654, centre_id=1, kind="open_access", starts_at=utcnow(),
                           ends_at=utcnow()))
    db.rollback()
    slot.starts_at = utcnow() - timedelta(minutes=5)
    slot.ends_at = utcnow() + timedelta(minutes=15)
    db.add(slot)
    db.commit()
    with pytest.raises(Conflict) as closed:
        book(db, slot)
    assert closed.value.code == "slot_closed"


def test_one_booking_per_person_per_slot_and_an_upcoming_limit(db: Session, make_open_access):
    oa = make_open_access(headsets=5)
    book(db, oa.slots[0], email="ana@example.org")
    with pytest.raises(Conflict) as same_slot:
        book(db, oa.slots[0], email="ANA@example.org")
    assert same_slot.value.code == "already_booked"
    db.rollback()
    book(db, oa.slots[1], browser_key="browser-1", email="ana@example.org")
    book(db, oa.slots[2], browser_key="browser-1")
    with pytest.raises(Conflict) as too_many:  # the same browser, or the same e-mail
        book(db, oa.slots[3], browser_key="browser-1", email="ana@example.org")
    assert too_many.value.code == "too_many_bookings"


def test_cancel_promotes_the_first_waiting_and_tells_them(db: Session, make_open_access):
    slot = make_open_access(headsets=1).slots[0]
    first = book(db, slot, "First", email="first@example.org")
    waiting = book(db, slot, "Waiting", email="wait@example.org")
    later = book(db, slot, "Later")
    assert (waiting.status, later.status) == ("waitlisted", "waitlisted")
    cancel_booking(db, first.token, utcnow())
    db.commit()
    db.refresh(waiting)
    db.refresh(later)
    assert (waiting.status, later.status) == ("confirmed", "waitlisted")
    subjects = {m.to_address: m.subject for m in db.exec(select(OutboxMessage))}
    assert "wait@example.org" in subjects
    promoted = db.exec(select(OutboxMessage).where(
        OutboxMessage.to_address == "wait@example.org",
        OutboxMessage.attachment_name == "ticket.ics")).all()
    assert promoted


def test_cancel_twice_is_harmless(db: Session, make_open_access):
    slot = make_open_access().slots[0]
    booking = book(db, slot)
    cancel_booking(db, booking.token, utcnow())
    db.commit()
    again = cancel_booking(db, booking.token, utcnow())
    assert again.booking.status == BookingStatus.cancelled


def test_change_to_a_full_slot_keeps_the_old_seat(db: Session, make_open_access):
    oa = make_open_access(headsets=1)
    mine = book(db, oa.slots[0], "Mine")
    book(db, oa.slots[1], "Other")
    with pytest.raises(Conflict):
        change_booking(db, mine.token, oa.slots[1].id, utcnow())
    db.rollback()
    db.refresh(mine)
    assert (mine.session_id, mine.status) == (oa.slots[0].id, "confirmed")


def test_change_moves_the_seat_and_frees_the_old_one(db: Session, make_open_access):
    oa = make_open_access(headsets=1)
    mine = book(db, oa.slots[0], "Mine")
    waiting = book(db, oa.slots[0], "Waiting")
    change_booking(db, mine.token, oa.slots[1].id, utcnow())
    db.commit()
    db.refresh(mine)
    db.refresh(waiting)
    assert (mine.session_id, mine.status) == (oa.slots[1].id, "confirmed")
    assert waiting.status == "confirmed"


def test_tokens_are_long_and_codes_readable(db: Session, make_open_access):
    slot = make_open_access(headsets=2).slots[0]
    tokens = [book(db, slot, f"P{n}") for n in range(2)]
    for booking in tokens:
        assert len(booking.token) >= 32  # 24 random bytes = 192 bits
        assert len(booking.short_code) == 8
        assert not set(booking.short_code) & set("01IO")
    assert tokens[0].token != tokens[1].token


def test_dates_are_next_week_or_later(make_open_access):
    """Guard for the fixture: its slots must be bookable on any day the suite runs."""
    oa = make_open_access()
    assert min(s.starts_at.date() for s in oa.slots) > date.today()


def test_a_headset_back_in_service_confirms_the_first_waiting(db: Session, make_open_access):
    from vr_booking.services.open_access.waitlist import promote_waiting

    oa = make_open_access(headsets=2)
    oa.headsets[0].service_state = ServiceState.maintenance
    db.add(oa.headsets[0])
    db.commit()
    slot = oa.slots[0]
    book(db, slot, "Seated")
    first, second = book(db, slot, "First"), book(db, slot, "Second")
    assert (first.status, second.status) == ("waitlisted", "waitlisted")
    assert promote_waiting(db, utcnow()) == []  # nothing freed yet

    oa.headsets[0].service_state = ServiceState.in_service
    db.add(oa.headsets[0])
    db.commit()
    assert [b.name for b in promote_waiting(db, utcnow())] == ["First"]
    db.commit()
    db.refresh(second)
    assert second.status == "waitlisted"
