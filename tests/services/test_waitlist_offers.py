"""Waiting-list offers: close to the session a freed seat is offered to the first in line
for a limited time (never past the start), taken, declined, or passed on when it lapses.
Further ahead it is given at once, with a one-click "I can no longer come"."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from vr_booking.jobs import fill_freed_seats, pass_on_lapsed_offers
from vr_booking.models import (
    Booking,
    Headset,
    OutboxMessage,
    ServiceState,
    VRSession,
    utcnow,
)
from vr_booking.services.errors import Conflict
from vr_booking.services.notify.offers import accept_offer, decline_offer
from vr_booking.services.open_access.booking import (
    BookingInput,
    cancel_booking,
    create_booking,
)
from vr_booking.services.open_access.capacity import slot_load
from vr_booking.services.open_access.pool import settle_pool_change

OFFER = timedelta(hours=2)  # Settings.offer_minutes' default


def book(db: Session, slot: VRSession, name: str) -> Booking:
    booking = create_booking(db, BookingInput(
        slot_id=slot.id, name=name, email=f"{name.lower()}@example.org", age_confirmed=True,
        health_ack=True, language="en"), utcnow()).booking
    db.commit()
    return booking


def status(db: Session, booking: Booking) -> str:
    db.commit()
    db.refresh(booking)
    return booking.status


def mails_to(db: Session, booking: Booking) -> list[OutboxMessage]:
    db.commit()
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.booking_id == booking.id)
                        .order_by(OutboxMessage.id)).all())


@pytest.fixture
def full(db, make_open_access):
    """A slot with 2 seats taken by Ana and Ben, and Bea then Carl waiting."""
    slot = make_open_access(headsets=2).slots[0]
    people = {name: book(db, slot, name) for name in ("Ana", "Ben", "Bea", "Carl")}
    assert [p.status for p in people.values()] == ["confirmed", "confirmed", "waitlisted",
                                                    "waitlisted"]
    return slot, people


def test_far_from_the_session_a_freed_seat_is_given_with_a_one_click_decline(db, full):
    _slot, people = full
    cancel_booking(db, people["Ana"].token, utcnow())
    db.commit()
    assert status(db, people["Bea"]) == "confirmed"
    promoted = mails_to(db, people["Bea"])[-1]
    assert promoted.subject == "A seat freed up: your VR session is confirmed"
    assert f"/b/{people['Bea'].token}/decline" in promoted.body_text


def test_within_the_window_a_freed_seat_is_offered_and_held(db, full, time_machine):
    slot, people = full
    now = slot.starts_at - timedelta(hours=20)
    time_machine.move_to(now, tick=False)
    cancel_booking(db, people["Ana"].token, now)
    db.commit()
    bea = people["Bea"]
    assert status(db, bea) == "offered"
    assert bea.offer_expires_at == now + OFFER
    assert status(db, people["Carl"]) == "waitlisted"
    offer = mails_to(db, bea)[-1]
    assert offer.subject.startswith("A seat is free for you")
    assert f"/b/{bea.token}/decline" in offer.body_text
    # The offered seat is held: someone booking now joins the waiting list.
    assert book(db, slot, "Dan").status == "waitlisted"
    assert slot_load(db, slot).remaining == 0


def test_an_offer_never_lasts_past_the_start(db, full, time_machine):
    slot, people = full
    now = slot.starts_at - timedelta(minutes=45)
    time_machine.move_to(now, tick=False)
    cancel_booking(db, people["Ana"].token, now)
    db.commit()
    assert status(db, people["Bea"]) == "offered"
    assert people["Bea"].offer_expires_at == slot.starts_at


def test_an_offer_that_lapses_passes_on_to_the_next_in_line_once(db, engine, settings, full,
                                                                 time_machine):
    slot, people = full
    bea, carl = people["Bea"], people["Carl"]
    time_machine.move_to(slot.starts_at - timedelta(hours=20), tick=False)
    cancel_booking(db, people["Ana"].token, utcnow())
    db.commit()
    time_machine.move_to(slot.starts_at - timedelta(hours=18, minutes=1), tick=False)
    assert pass_on_lapsed_offers(engine, settings) == 0  # still 1 minute to answer
    lapse_at = slot.starts_at - timedelta(hours=18)
    time_machine.move_to(lapse_at, tick=False)
    assert pass_on_lapsed_offers(engine, settings) == 1
    assert pass_on_lapsed_offers(engine, settings) == 0  # run twice: one effect
    assert status(db, bea) == "cancelled"
    assert bea.offer_lapsed_at == lapse_at
    assert status(db, carl) == "offered"
    assert carl.offer_expires_at == lapse_at + OFFER
    assert [m.subject for m in mails_to(db, bea)][-1] == (
        "The seat we kept for you has gone to the next person")
    assert len([m for m in mails_to(db, carl) if m.subject.startswith("A seat is free")]) == 1
    with pytest.raises(Conflict) as refused:
        accept_offer(db, bea.token, utcnow())
    assert refused.value.code == "offer_lapsed"


def test_taking_the_offer_confirms_the_seat(db, full, time_machine):
    slot, people = full
    time_machine.move_to(slot.starts_at - timedelta(hours=20), tick=False)
    cancel_booking(db, people["Ana"].token, utcnow())
    db.commit()
    accept_offer(db, people["Bea"].token, utcnow())
    db.commit()
    assert status(db, people["Bea"]) == "confirmed"
    assert people["Bea"].offer_expires_at is None
    assert mails_to(db, people["Bea"])[-1].subject == "Your VR session is booked"
    accept_offer(db, people["Bea"].token, utcnow())  # twice: harmless
    with pytest.raises(Conflict) as refused:
        accept_offer(db, people["Carl"].token, utcnow())
    assert refused.value.code == "no_offer"


def test_an_offer_cannot_be_taken_after_its_deadline_even_before_the_sweep(db, full,
                                                                          time_machine):
    slot, people = full
    time_machine.move_to(slot.starts_at - timedelta(hours=20), tick=False)
    cancel_booking(db, people["Ana"].token, utcnow())
    db.commit()
    with pytest.raises(Conflict) as refused:
        accept_offer(db, people["Bea"].token, utcnow() + OFFER)
    assert refused.value.code == "offer_lapsed"


def test_declining_passes_the_seat_on_at_once(db, full, time_machine):
    slot, people = full
    time_machine.move_to(slot.starts_at - timedelta(hours=20), tick=False)
    cancel_booking(db, people["Ana"].token, utcnow())
    db.commit()
    decline_offer(db, people["Bea"].token, utcnow())
    db.commit()
    assert status(db, people["Bea"]) == "cancelled"
    assert status(db, people["Carl"]) == "offered"
    decline_offer(db, people["Bea"].token, utcnow())  # twice: harmless
    with pytest.raises(Conflict) as refused:
        decline_offer(db, people["Ben"].token, utcnow())  # a confirmed seat: use cancel
    assert refused.value.code == "no_offer"


def test_capacity_growth_within_the_window_offers_too(db, engine, settings, make_open_access,
                                                      time_machine):
    oa = make_open_access(headsets=2)
    slot = oa.slots[0]
    oa.headsets[1].service_state = ServiceState.maintenance
    db.add(oa.headsets[1])
    db.commit()
    ana, bea = book(db, slot, "Ana"), book(db, slot, "Bea")
    assert status(db, bea) == "waitlisted"
    time_machine.move_to(slot.starts_at - timedelta(hours=3), tick=False)
    oa.headsets[1].service_state = ServiceState.in_service
    db.add(oa.headsets[1])
    db.commit()
    assert fill_freed_seats(engine, settings) == 1
    assert status(db, bea) == "offered"
    assert status(db, ana) == "confirmed"


def test_a_shrinking_pool_withdraws_offers_before_confirmed_seats(db, full, time_machine):
    slot, people = full
    now = slot.starts_at - timedelta(hours=20)
    time_machine.move_to(now, tick=False)
    cancel_booking(db, people["Ana"].token, now)
    db.commit()
    headset = db.exec(select(Headset).where(Headset.home_centre_id == slot.centre_id)).first()
    headset.service_state = ServiceState.maintenance  # 2 seats → 1: Bea's offer goes first
    db.add(headset)
    db.flush()
    settle_pool_change(db, [slot.centre_id], now, confirmed=True)
    db.commit()
    assert status(db, people["Bea"]) == "waitlisted"
    assert people["Bea"].offer_expires_at is None
    assert status(db, people["Ben"]) == "confirmed"


def test_no_offer_window_means_seats_are_always_given(db, settings, full, time_machine):
    slot, people = full
    db.info["settings"] = settings
    settings.offer_window_hours = 0
    time_machine.move_to(slot.starts_at - timedelta(hours=2), tick=False)
    cancel_booking(db, people["Ana"].token, utcnow())
    db.commit()
    assert status(db, people["Bea"]) == "confirmed"
