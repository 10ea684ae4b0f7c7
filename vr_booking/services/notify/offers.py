"""Waiting-list offers: taking or declining one, and the sweep that lapses them.

Within ``offer_window_hours`` of a session, a freed seat is offered to the first person
waiting (see :func:`vr_booking.services.open_access.waitlist.rebalance`, the one place that
decides what a freed seat becomes). The offer keeps the seat until ``offer_expires_at``;
unanswered by then, it lapses: that booking is cancelled (the visitor is told) and the
seat passes to the next person, through ``rebalance`` again.
"""

from datetime import datetime

from sqlmodel import Session, col, select

from vr_booking.db import lock_centres, lock_slots
from vr_booking.i18n import _
from vr_booking.models import Booking, BookingStatus, VRSession
from vr_booking.services.errors import Conflict
from vr_booking.services.open_access.booking import (
    BookingResult,
    cancel_booking,
    get_booking,
)
from vr_booking.services.open_access.capacity import slot_loads
from vr_booking.services.open_access.mail import notify_booking_change
from vr_booking.services.open_access.waitlist import rebalance


def _locked(session: Session, token: str) -> BookingResult:
    found = get_booking(session, token)
    lock_slots(session, [found.slot.id])
    session.refresh(found.booking)
    return found


def _no_offer(booking: Booking) -> Conflict:
    if booking.offer_lapsed_at is not None:
        return Conflict("offer_lapsed", _("This offer has lapsed: the seat went to the next "
                                          "person. You can book another session."))
    return Conflict("no_offer", _("This booking holds no seat offer."))


def accept_offer(session: Session, token: str, now: datetime) -> BookingResult:
    """Take the offered seat (idempotent: a booking already confirmed is left as it is)."""
    found = _locked(session, token)
    booking = found.booking
    if booking.status in (BookingStatus.confirmed, BookingStatus.checked_in):
        return found
    if booking.status != BookingStatus.offered:
        raise _no_offer(booking)
    if booking.offer_expires_at <= now:
        raise Conflict("offer_lapsed", _("This offer has lapsed: the seat is passing to the "
                                         "next person."))
    booking.status, booking.offer_expires_at = BookingStatus.confirmed, None
    session.add(booking)
    session.flush()
    notify_booking_change(session, booking, "confirmed")
    return found


def decline_offer(session: Session, token: str, now: datetime) -> BookingResult:
    """Turn the offered seat down: the booking is cancelled and the seat passes on
    (idempotent: a cancelled booking is left as it is)."""
    found = _locked(session, token)
    if found.booking.status == BookingStatus.cancelled:
        return found
    if found.booking.status != BookingStatus.offered:
        raise _no_offer(found.booking)
    return cancel_booking(session, token, now)


def lapse_offers(session: Session, now: datetime) -> int:
    """Cancel the offers nobody took in time and pass their seats on; returns how many."""
    due = session.exec(
        select(Booking.id, VRSession.centre_id)
        .join(VRSession, col(VRSession.id) == Booking.session_id)
        .where(Booking.status == BookingStatus.offered, col(Booking.offer_expires_at) <= now)
    ).all()
    if not due:
        return 0
    lock_centres(session, {centre_id for _id, centre_id in due})
    lapsed = session.exec(  # re-read under the lock: only offers still open change
        select(Booking).where(col(Booking.id).in_([booking_id for booking_id, _c in due]),
                              Booking.status == BookingStatus.offered,
                              col(Booking.offer_expires_at) <= now)
        .execution_options(populate_existing=True)).all()
    for booking in lapsed:
        booking.status = BookingStatus.cancelled
        booking.cancelled_at = booking.offer_lapsed_at = now
        notify_booking_change(session, booking, "offer_lapsed")
    session.add_all(lapsed)
    session.flush()
    slots = session.exec(select(VRSession).where(
        col(VRSession.id).in_({b.session_id for b in lapsed}))).all()
    for load in slot_loads(session, list(slots)):
        rebalance(session, load, now, notify_booking_change)
    return len(lapsed)
