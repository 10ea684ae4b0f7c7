"""Keep each slot's confirmed bookings within its capacity, through the waiting list.

:func:`rebalance` is the one place that decides what happens to a freed seat. It goes to
the first waiting booking (oldest first):

- more than ``offer_window_hours`` before the session, the booking is confirmed at once
  (the "promoted" e-mail carries a one-click "I can no longer come");
- within that window the seat is *offered*: kept for that booking until ``offer_minutes``
  later, never past the start. The visitor takes it or declines it; an offer that lapses
  cancels that booking and passes the seat on (:mod:`vr_booking.services.notify.offers`).

When capacity shrinks on a manager's explicit confirmation, offers are withdrawn first, then
the most recent confirmed bookings go back to the top of the waiting list. Every change is
told to the visitor (outbox).
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from vr_booking.config import settings_for
from vr_booking.db import lock_centres
from vr_booking.models import Booking, BookingStatus, VRSession
from vr_booking.services.open_access.capacity import SlotLoad, slot_loads, upcoming_slots
from vr_booking.services.open_access.mail import notify_booking_change

Notify = Callable[[Session, Booking, str], None]


def _queue(session: Session, slot_id: int) -> list[Booking]:
    """Waiting bookings in the order seats go to them."""
    return list(session.exec(
        select(Booking).where(Booking.session_id == slot_id,
                              Booking.status == BookingStatus.waitlisted)
        .order_by(col(Booking.created_at), col(Booking.id))
    ).all())


def _newest(session: Session, slot_id: int, status: str) -> list[Booking]:
    return list(session.exec(
        select(Booking).where(Booking.session_id == slot_id, Booking.status == status)
        .order_by(col(Booking.created_at).desc(), col(Booking.id).desc())
    ).all())


def is_offer_time(session: Session, slot: VRSession, now: datetime) -> bool:
    """Whether a seat freed now in this slot is offered rather than given."""
    hours = settings_for(session).offer_window_hours
    return hours > 0 and slot.starts_at - now <= timedelta(hours=hours)


def offer_deadline(session: Session, slot: VRSession, now: datetime) -> datetime:
    """Until when an offer made now is kept: ``offer_minutes`` later, never past the start."""
    return min(now + timedelta(minutes=settings_for(session).offer_minutes), slot.starts_at)


def _give_seat(session: Session, booking: Booking, slot: VRSession, now: datetime,
               notify: Notify) -> None:
    if is_offer_time(session, slot, now):
        booking.status = BookingStatus.offered
        booking.offer_expires_at = offer_deadline(session, slot, now)
        notify(session, booking, "offered")
    else:
        booking.status = BookingStatus.confirmed
        notify(session, booking, "promoted")


def rebalance(session: Session, load: SlotLoad, now: datetime, notify: Notify) -> list[Booking]:
    """Fill freed seats from the waiting list, or move the excess back to it, so that seats
    taken (confirmed, offered, checked in) == min(capacity, wanted); returns the changes.

    Call it under :func:`vr_booking.db.lock_centres` with a fresh ``load``.
    """
    changed: list[Booking] = []
    slot = load.slot
    if slot.starts_at <= now:
        return changed
    if load.confirmed < load.capacity:
        for booking in _queue(session, slot.id)[: load.capacity - load.confirmed]:
            _give_seat(session, booking, slot, now, notify)
            changed.append(booking)
    elif load.confirmed > load.capacity:
        holders = (_newest(session, slot.id, BookingStatus.offered)
                   + _newest(session, slot.id, BookingStatus.confirmed))
        for booking in holders[: load.confirmed - load.capacity]:
            booking.status, booking.offer_expires_at = BookingStatus.waitlisted, None
            changed.append(booking)
            notify(session, booking, "demoted")
    session.add_all(changed)
    session.flush()
    return changed


def promote_waiting(session: Session, now: datetime,
                    centre_ids: Iterable[int] | None = None) -> list[Booking]:
    """Give freed seats to waiting bookings wherever capacity grew (a headset back in
    service, a loan or a group reservation ended). Never demotes: that needs a manager."""
    query = (select(VRSession.id, VRSession.centre_id)
             .join(Booking, col(Booking.session_id) == VRSession.id)
             .where(Booking.status == BookingStatus.waitlisted, VRSession.starts_at > now))
    if centre_ids is not None:
        query = query.where(col(VRSession.centre_id).in_(list(centre_ids)))
    # A row per waiting booking, made unique here: DISTINCT led SQLite to read the centres'
    # sessions by id, past ones included, instead of from now by the (centre, start) index.
    waiting = dict(session.exec(query).all())
    if not waiting:
        return []
    lock_centres(session, waiting.values())
    slots = [s for s in upcoming_slots(session, set(waiting.values()), now) if s.id in waiting]
    promoted: list[Booking] = []
    for load in slot_loads(session, slots):
        if load.confirmed < load.capacity:
            promoted += rebalance(session, load, now, notify_booking_change)
    return promoted
