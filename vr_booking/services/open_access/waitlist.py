"""Keep each slot's confirmed bookings within its capacity, through the waiting list.

When seats free up, the first waiting bookings (oldest first) are confirmed; when capacity
shrinks on a manager's explicit confirmation, the most recent confirmed bookings go back
to the top of the waiting list. Every change is told to the visitor (outbox).
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from vr_booking.db import lock_centres
from vr_booking.models import Booking, BookingStatus, VRSession
from vr_booking.services.open_access.capacity import SlotLoad, slot_loads, upcoming_slots
from vr_booking.services.open_access.mail import notify_booking_change

Notify = Callable[[Session, Booking, str], None]


def _bookings(session: Session, slot_id: int, status: str, newest_first: bool) -> list[Booking]:
    order = (col(Booking.created_at).desc(), col(Booking.id).desc()) if newest_first else (
        col(Booking.created_at), col(Booking.id))
    return list(session.exec(
        select(Booking).where(Booking.session_id == slot_id, Booking.status == status)
        .order_by(*order)
    ).all())


def rebalance(session: Session, load: SlotLoad, now: datetime, notify: Notify) -> list[Booking]:
    """Promote or demote bookings so that confirmed == min(capacity, wanted); returns changes.

    Call it under :func:`vr_booking.db.lock_centres` with a fresh ``load``.
    """
    changed: list[Booking] = []
    if load.slot.starts_at <= now:
        return changed
    if load.confirmed < load.capacity:
        for booking in _bookings(session, load.slot.id, BookingStatus.waitlisted, False)[
            : load.capacity - load.confirmed
        ]:
            booking.status = BookingStatus.confirmed
            changed.append(booking)
            notify(session, booking, "promoted")
    elif load.confirmed > load.capacity:
        for booking in _bookings(session, load.slot.id, BookingStatus.confirmed, True)[
            : load.confirmed - load.capacity
        ]:
            booking.status = BookingStatus.waitlisted
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
    waiting = dict(session.exec(query.distinct()).all())
    if not waiting:
        return []
    lock_centres(session, waiting.values())
    slots = [s for s in upcoming_slots(session, set(waiting.values()), now) if s.id in waiting]
    promoted: list[Booking] = []
    for load in slot_loads(session, slots):
        if load.confirmed < load.capacity:
            promoted += rebalance(session, load, now, notify_booking_change)
    return promoted
