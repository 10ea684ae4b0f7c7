"""The survey e-mail: sent once, after the session, to visitors who came and gave an e-mail.

A sweep (``vr_booking.jobs``) finds tickets checked in whose session ended at least
``survey_email_delay_minutes`` ago, and claims them with one conditional UPDATE on
``survey_invited_at``: a second or concurrent run finds nothing left to claim, so nobody gets
the e-mail twice. Sessions that ended more than ``LOOK_BACK`` ago are left alone, so the
first run after an upgrade (or after a long stop) does not mail last year's visitors.
"""

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, update
from sqlmodel import Session, col, select

from vr_booking.config import settings_for
from vr_booking.models import (
    LONGEST_SESSION,
    Booking,
    BookingStatus,
    Centre,
    Feedback,
    VRSession,
)
from vr_booking.services.mail import enqueue, render_mail
from vr_booking.services.reports.survey import ticket_survey_url
from vr_booking.services.timeutil import to_local

LOOK_BACK = timedelta(days=3)
BATCH = 200


def _ended_between(after: datetime, until: datetime) -> ColumnElement[bool]:
    """SQL: the session ended in ``(after, until]``. It started before ``until`` and, lasting
    at most ``LONGEST_SESSION``, after ``after - LONGEST_SESSION``: bounds that the index on
    the start can use (the end alone made every run read the whole history)."""
    return and_(VRSession.ends_at <= until, VRSession.ends_at > after,
                VRSession.starts_at < until, VRSession.starts_at > after - LONGEST_SESSION)


def _due(session: Session, now: datetime) -> list[int]:
    ended_before = now - timedelta(minutes=settings_for(session).survey_email_delay_minutes)
    return list(session.exec(
        select(Booking.id).join(VRSession, col(VRSession.id) == Booking.session_id)
        .where(Booking.status == BookingStatus.checked_in, col(Booking.email).is_not(None),
               Booking.email != "", col(Booking.survey_invited_at).is_(None),
               _ended_between(now - LOOK_BACK, ended_before),
               ~exists().where(Feedback.booking_id == Booking.id))
        .order_by(Booking.id).limit(BATCH)).all())


def invite_to_survey(session: Session, now: datetime) -> int:
    """Queue the survey e-mail for due tickets; returns how many were queued."""
    due = _due(session, now)
    if not due:
        return 0
    claimed = session.exec(
        update(Booking).where(col(Booking.id).in_(due), col(Booking.survey_invited_at).is_(None))
        .values(survey_invited_at=now).returning(Booking.id)).all()
    bookings = session.exec(select(Booking, VRSession, Centre)
                            .join(VRSession, col(VRSession.id) == Booking.session_id)
                            .join(Centre, col(Centre.id) == VRSession.centre_id)
                            .where(col(Booking.id).in_([row[0] for row in claimed]))).all()
    for booking, slot, centre in bookings:
        subject, body = render_mail(
            "survey_invitation", booking.language, booking=booking, centre=centre,
            starts_at=to_local(slot.starts_at, centre.timezone),
            survey_url=ticket_survey_url(session, booking))
        enqueue(session, booking.email, subject, body)
    session.flush()
    return len(bookings)
