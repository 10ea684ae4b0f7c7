"""Personal data that expires (field rule 10).

Visitors' names and e-mail addresses (and the hashed browser key) are erased
``retention_months`` after their session ends; the booking row stays, so the anonymous
counts (bookings by session and status, jobs chosen, feedback) do not change. Sessions
flagged as reported to the European Social Fund keep their people for
``esf_retention_months`` (what the funding requires), then are erased the same way.
Participants of group sessions lose their name and roster code; their anonymous categories
(age band, gender, labour-market status, education level) stay for the ESF breakdowns.

E-mails go with the data: a booking's outbox messages are deleted when it is erased, and
every other message (to staff) ``retention_months`` after it was queued.
"""

import calendar
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, delete, or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from vr_booking.config import settings_for
from vr_booking.models import Booking, OutboxMessage, Participant, VRSession
from vr_booking.services.audit import record

CHUNK = 500  # ids a statement (SQLite allows a few thousand bound parameters)
RETENTION_BATCH = 5_000  # bookings a transaction of the sweep (a fraction of a second)


def months_before(instant: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (31 March − 1 month is the
    last day of February)."""
    year, month = divmod(instant.year * 12 + instant.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return instant.replace(year=year, month=month + 1, day=min(instant.day, last_day))


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def erase_bookings(session: Session, booking_ids: Iterable[int], now: datetime) -> int:
    """Erase these bookings' personal data and e-mails; returns how many were erased now.

    The claim is the conditional ``UPDATE … WHERE erased_at IS NULL``: a booking erased
    already (by its holder, or a concurrent run) is left alone.
    """
    erased = 0
    for chunk in _chunks(sorted(set(booking_ids))):
        result = session.exec(update(Booking).where(
            col(Booking.id).in_(chunk), col(Booking.erased_at).is_(None),
        ).values(name="", email=None, browser_key=None, erased_at=now))
        erased += result.rowcount
        session.exec(delete(OutboxMessage).where(col(OutboxMessage.booking_id).in_(chunk)))
    return erased


def _expired_sessions(session: Session, now: datetime) -> SelectOfScalar[int]:
    """Ids of the sessions whose people's data has expired."""
    settings = settings_for(session)
    return select(VRSession.id).where(or_(
        and_(col(VRSession.esf_reported).is_(False),
             VRSession.ends_at < months_before(now, settings.retention_months)),
        and_(col(VRSession.esf_reported),
             VRSession.ends_at < months_before(now, settings.esf_retention_months)),
    ))


def erase_expired_bookings(session: Session, now: datetime, limit: int) -> int:
    """Erase the personal data of at most ``limit`` bookings whose time is up, oldest
    first; returns how many were erased. The caller commits and calls again while a full
    batch came back (:func:`vr_booking.jobs.erase_expired_data`)."""
    booking_ids = session.exec(select(Booking.id).where(
        col(Booking.session_id).in_(_expired_sessions(session, now)),
        col(Booking.erased_at).is_(None)).order_by(Booking.id).limit(limit)).all()
    bookings = erase_bookings(session, booking_ids, now)
    _record(session, bookings=bookings)
    return bookings


def erase_expired_rest(session: Session, now: datetime) -> int:
    """Erase the expired group participants' names and codes and the staff's old e-mails;
    returns how many rows were erased."""
    participants = session.exec(update(Participant).where(
        col(Participant.session_id).in_(_expired_sessions(session, now)),
        or_(Participant.display_name != "", col(Participant.code).is_not(None)),
    ).values(display_name="", code=None)).rowcount
    cutoff = months_before(now, settings_for(session).retention_months)
    messages = session.exec(delete(OutboxMessage).where(  # a booking's go with the booking
        col(OutboxMessage.booking_id).is_(None), OutboxMessage.created_at < cutoff)).rowcount
    _record(session, participants=participants)
    return participants + messages


def _record(session: Session, bookings: int = 0, participants: int = 0) -> None:
    if bookings or participants:
        record(session, None, "retention.erased", subject_type="retention",
               summary=f"personal data erased: {bookings} booking(s), "
                       f"{participants} participant(s)")
    session.flush()
