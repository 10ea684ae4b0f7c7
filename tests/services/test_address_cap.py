"""A cap on the active future bookings of one client address, with an allow-list for the
centre's own kiosk (issue 9, item 16)."""

import pytest
from sqlmodel import Session

from vr_booking.models import utcnow
from vr_booking.services.errors import Conflict
from vr_booking.services.open_access.booking import BookingInput, cancel_booking, create_booking


@pytest.fixture
def capped(db: Session, settings):
    settings.max_upcoming_bookings_per_address = 2
    settings.booking_cap_exempt_addresses = "10.1.2.0/24, 192.0.2.7"
    db.info["settings"] = settings
    return settings


def _book(db: Session, slot, address: str, name: str = "Ana"):
    data = BookingInput(slot_id=slot.id, name=name, age_confirmed=True, health_ack=True)
    result = create_booking(db, data, utcnow(), address=address)
    db.commit()
    return result.booking


def test_one_address_holds_at_most_the_cap(db: Session, capped, make_open_access):
    slots = make_open_access(headsets=3).slots
    first = _book(db, slots[0], "203.0.113.9")
    _book(db, slots[1], "203.0.113.9", "Bob")
    with pytest.raises(Conflict) as refused:
        _book(db, slots[2], "203.0.113.9", "Cy")
    assert refused.value.code == "too_many_from_address"
    db.rollback()
    _book(db, slots[2], "203.0.113.10", "Cy")  # another address is not affected
    cancel_booking(db, first.token, utcnow())  # a cancelled booking no longer counts
    db.commit()
    _book(db, slots[3], "203.0.113.9", "Dee")


def test_the_kiosk_is_exempt_and_leaves_no_trace(db: Session, capped, make_open_access):
    slots = make_open_access(headsets=3).slots
    booked = [_book(db, slots[n], address, f"V{n}")
              for n, address in enumerate(["10.1.2.3", "10.1.2.3", "10.1.2.3", "192.0.2.7"])]
    assert [b.address_key for b in booked] == [None] * 4


def test_the_address_itself_is_never_stored(db: Session, capped, make_open_access):
    booking = _book(db, make_open_access().slots[0], "203.0.113.9")
    assert booking.address_key
    assert "203.0.113" not in booking.address_key


def test_zero_means_no_cap(db: Session, capped, make_open_access):
    capped.max_upcoming_bookings_per_address = 0
    slots = make_open_access(headsets=3).slots
    for n in range(4):
        _book(db, slots[n], "203.0.113.9", f"V{n}")
