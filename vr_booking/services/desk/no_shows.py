"""The no-show release: a booked visitor's seat is held until ``no_show_release_minutes``
after the slot starts; then a still-confirmed booking becomes a no-show and its seat goes to
walk-ins. The scheduler's sweep runs it every minute; check-ins and walk-ins run it first
for their centre's slots of today, and the Today page shows due seats as released (without
writing), so the desk never waits for the sweep."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from vr_booking.config import settings_for
from vr_booking.db import lock_centres
from vr_booking.models import (
    Booking,
    BookingStatus,
    Centre,
    SessionKind,
    SessionStatus,
    VRSession,
)
from vr_booking.services.timeutil import day_bounds, local_date


def release_cutoff(session: Session, now: datetime) -> datetime:
    """Slots that started at or before this instant no longer hold seats for no-shows."""
    return now - timedelta(minutes=settings_for(session).no_show_release_minutes)


def _due_no_shows(session: Session, now: datetime, centre_ids: list[int] | None,
                  since: datetime | None) -> Sequence[tuple[int, int]]:
    """(booking id, centre id) of confirmed bookings whose seat is due for release."""
    cutoff = release_cutoff(session, now)
    query = select(Booking.id, VRSession.centre_id).join(
        VRSession, col(VRSession.id) == Booking.session_id,
    ).where(Booking.status == BookingStatus.confirmed,
            VRSession.kind == SessionKind.open_access,
            VRSession.status != SessionStatus.cancelled, VRSession.starts_at <= cutoff)
    if centre_ids is not None:
        query = query.where(col(VRSession.centre_id).in_(centre_ids))
    if since is not None:
        query = query.where(VRSession.starts_at >= since)
    return session.exec(query).all()


def release_no_shows(session: Session, now: datetime, centre_ids: list[int] | None = None,
                     since: datetime | None = None) -> int:
    """Turn still-confirmed bookings into no-shows once their seat is released, in slots
    that started at or after ``since`` when it is given.

    Idempotent: only ``confirmed`` rows change, re-read under the centre lock, so a
    check-in racing the sweep wins or loses cleanly. Returns how many were released.
    """
    due = _due_no_shows(session, now, centre_ids, since)
    if not due:
        return 0
    lock_centres(session, {centre_id for _id, centre_id in due})
    bookings = session.exec(select(Booking).where(
        col(Booking.id).in_([booking_id for booking_id, _c in due]),
        Booking.status == BookingStatus.confirmed,
    ).execution_options(populate_existing=True)).all()
    for booking in bookings:
        booking.status = BookingStatus.no_show
    session.add_all(bookings)
    session.flush()
    return len(bookings)


def release_today(session: Session, centre: Centre, now: datetime) -> int:
    """The release a desk runs before it counts seats: its centre's slots of today only.

    Unbounded, it visited every past slot of the centre through the (centre, start) index,
    a cost growing with the years of history; older seats are the sweep's.
    """
    start, _end = day_bounds(local_date(now, centre.timezone), centre.timezone)
    return release_no_shows(session, now, [centre.id], since=start)
