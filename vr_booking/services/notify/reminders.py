"""Visitors' reminders: the day before their session, at ``reminder_time`` in the centre's
zone (10:00 by default), to confirmed bookings that gave an e-mail address.

None for a booking made after that moment (its confirmation is fresh), none for a cancelled
one. The sweep runs every minute, so a reminder leaves within about a minute of its time; a
reminder due while the application was down leaves at the next run, as long as the session
has not started. The claim is a ``SentNotice`` per booking and session (a booking moved to
another session gets that session's reminder).
"""

from datetime import datetime, time, timedelta

from sqlmodel import Session, col, select

from vr_booking.config import settings_for
from vr_booking.db import lock_centres
from vr_booking.models import (
    Booking,
    BookingStatus,
    Centre,
    SentNotice,
    SessionKind,
    SessionStatus,
    VRSession,
)
from vr_booking.services.notify.notices import claim_notice
from vr_booking.services.open_access.mail import notify_booking_change
from vr_booking.services.timeutil import local_date, local_to_utc

REMINDER = "reminder"
# The earliest a reminder can be due: 00:00 the day before a session starting at 23:59.
LOOKAHEAD = timedelta(hours=49)


def reminder_due_at(starts_at: datetime, zone: str, at: time) -> datetime:
    """The day before the session's local date, at local time ``at``, as a UTC instant.

    Computed on local dates, so it stays at 10:00 local across a daylight-saving change.
    """
    return local_to_utc(local_date(starts_at, zone) - timedelta(days=1), at, zone)


def _due(session: Session, now: datetime) -> list[tuple[int, int, int]]:
    """(booking id, session id, centre id) of the reminders due now and not yet sent."""
    at = settings_for(session).reminder_time
    rows = session.exec(
        select(Booking.id, Booking.created_at, VRSession.id, VRSession.starts_at, Centre.id,
               Centre.timezone)
        .join(VRSession, col(VRSession.id) == Booking.session_id)
        .join(Centre, col(Centre.id) == VRSession.centre_id)
        .where(Booking.status == BookingStatus.confirmed, col(Booking.email).is_not(None),
               VRSession.kind == SessionKind.open_access,
               VRSession.status == SessionStatus.planned,
               VRSession.starts_at > now, VRSession.starts_at <= now + LOOKAHEAD)
    ).all()
    due = [(booking_id, slot_id, centre_id)
           for booking_id, created_at, slot_id, starts_at, centre_id, zone in rows
           if created_at < reminder_due_at(starts_at, zone, at) <= now]
    if not due:
        return []
    sent = set(session.exec(select(SentNotice.subject_id, SentNotice.key).where(
        SentNotice.kind == REMINDER,
        col(SentNotice.subject_id).in_([booking_id for booking_id, _s, _c in due]))).all())
    return [row for row in due if (row[0], str(row[1])) not in sent]


def send_due_reminders(session: Session, now: datetime) -> int:
    """Queue the reminders due now; returns how many were queued."""
    due = _due(session, now)
    if not due:
        return 0
    # The centre lock orders this against a visitor erasing or cancelling the same booking.
    lock_centres(session, {centre_id for _b, _s, centre_id in due})
    bookings = {b.id: b for b in session.exec(
        select(Booking).where(col(Booking.id).in_([booking_id for booking_id, _s, _c in due]))
        .execution_options(populate_existing=True))}
    queued = 0
    for booking_id, slot_id, _centre_id in sorted(due):
        booking = bookings[booking_id]
        if (booking.status != BookingStatus.confirmed or not booking.email
                or booking.session_id != slot_id):
            continue
        if claim_notice(session, REMINDER, booking_id, str(slot_id), now):
            notify_booking_change(session, booking, "reminder")
            queued += 1
    session.flush()
    return queued
