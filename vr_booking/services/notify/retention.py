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
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, or_, update
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


def erase_bookings(session: Session, booking_ids: Iterable[int], now: datetime,
                   still: ColumnElement[bool] | None = None) -> int:
    """Erase these bookings' personal data and e-mails; returns how many were erased now.

    The claim is the conditional ``UPDATE … WHERE erased_at IS NULL`` (and ``still``, a
    condition on the booking asked again at that moment): a booking erased already (by its
    holder, or a concurrent run) is left alone.
    """
    erased = 0
    for chunk in _chunks(sorted(set(booking_ids))):
        claim = update(Booking).where(col(Booking.id).in_(chunk), col(Booking.erased_at).is_(None))
        result = session.exec(
            (claim if still is None else claim.where(still))
            .values(name="", email=None, browser_key=None, erased_at=now)
            .returning(Booking.id))
        claimed = list(result.scalars())
        erased += len(claimed)
        session.exec(delete(OutboxMessage).where(col(OutboxMessage.booking_id).in_(claimed)))
    return erased


def _expired_sessions(session: Session, now: datetime) -> SelectOfScalar[int]:
    """Ids of the sessions whose people's data has expired."""
    return select(VRSession.id).where(_expired(session, now))


def _expired(session: Session, now: datetime) -> ColumnElement[bool]:
    """SQL, on ``vr_session``: its people's data has expired."""
    settings = settings_for(session)
    return or_(
        and_(col(VRSession.esf_reported).is_(False),
             VRSession.ends_at < months_before(now, settings.retention_months)),
        and_(col(VRSession.esf_reported),
             VRSession.ends_at < months_before(now, settings.esf_retention_months)),
    )


def _session_expired(session: Session, now: datetime, session_id: Any) -> ColumnElement[bool]:
    """SQL: the session ``session_id`` (a column of the row updated) has expired, asked of
    that one session through its key."""
    return exists().where(VRSession.id == session_id, _expired(session, now))


def expired_booking_ids(session: Session, now: datetime, limit: int) -> list[int]:
    """At most ``limit`` bookings whose personal data has expired and is still there,
    oldest first. Read apart from the erasing (:func:`erase_expired_bookings` asks again):
    the search reads every expired session's bookings, hundreds of milliseconds on a large
    network, which inside a write transaction held SQLite's write lock that long, every
    booking waiting, each hour."""
    return list(session.exec(select(Booking.id).where(
        col(Booking.session_id).in_(_expired_sessions(session, now)),
        col(Booking.erased_at).is_(None)).order_by(Booking.id).limit(limit)).all())


def erase_expired_bookings(session: Session, booking_ids: list[int], now: datetime) -> int:
    """Erase these bookings (found by :func:`expired_booking_ids`) if their data is still
    expired now, each checked through its session's key; returns how many were erased."""
    bookings = erase_bookings(session, booking_ids, now,
                              still=_session_expired(session, now, Booking.session_id))
    _record(session, bookings=bookings)
    return bookings


def expired_participant_ids(session: Session, now: datetime) -> list[int]:
    """The group participants whose name or roster code has expired and is still there (read
    apart from the erasing, as :func:`expired_booking_ids`)."""
    return list(session.exec(select(Participant.id).where(
        col(Participant.session_id).in_(_expired_sessions(session, now)),
        _named()).order_by(Participant.id)).all())


def _named() -> ColumnElement[bool]:
    """SQL: the participant still has a name or a roster code."""
    return or_(Participant.display_name != "", col(Participant.code).is_not(None))


def erase_expired_rest(session: Session, participant_ids: list[int], now: datetime) -> int:
    """Erase these participants' names and codes if still expired now, and the staff's old
    e-mails; returns how many rows were erased."""
    participants = 0
    for chunk in _chunks(participant_ids):
        participants += session.exec(update(Participant).where(
            col(Participant.id).in_(chunk), _named(),
            _session_expired(session, now, Participant.session_id),
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
