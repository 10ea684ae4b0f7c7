"""The no-show release: a booked visitor's seat is held until ``no_show_release_minutes``
after the slot starts; then a still-confirmed booking becomes a no-show and its seat goes to
walk-ins. The scheduler's sweep runs it every minute; check-ins and walk-ins run it first
for their centre, and the Today page shows due seats as released (without writing), so the
desk never waits for the sweep."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from vr_booking.config import settings_for
from vr_booking.db import lock_centres
from vr_booking.models import Booking, BookingStatus, SessionKind, SessionStatus, VRSession


def release_cutoff(session: Session, now: datetime) -> datetime:
    """Slots that started at or before this instant no longer hold seats for no-shows."""
    return now - timedelta(minutes=settings_for(session).no_show_release_minutes)


def _due_no_shows(session: Session, now: datetime,
                  centre_ids: list[int] | None) -> Sequence[tuple[int, int]]:
    """(booking id, centre id) of confirmed bookings whose seat is due for release."""
    cutoff = release_cutoff(session, now)
    query = select(Booking.id, VRSession.centre_id).join(
        VRSession, col(VRSession.id) == Booking.session_id,
    ).where(Booking.status == BookingStatus.confirmed,
            VRSession.kind == SessionKind.open_access,
            VRSession.status != SessionStatus.cancelled, VRSession.starts_at <= cutoff)
    if centre_ids is not None:
        query = query.where(col(VRSession.centre_id).in_(centre_ids))
    return session.exec(query).all()


def release_no_shows(session: Session, now: datetime,
                     centre_ids: list[int] | None = None) -> int:
    """Turn still-confirmed bookings into no-shows once their seat is released.

    Idempotent: only ``confirmed`` rows change, re-read under the centre lock, so a
    check-in racing the sweep wins or loses cleanly. Returns how many were released.
    """
    due = _due_no_shows(session, now, centre_ids)
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
