"""Sessions held by kind and people served, per centre: four SQL aggregates.

- A session is *held* when it is not cancelled and has started (an open-access session is
  one slot, as everywhere in the product).
- *Booked*: open-access bookings that held a seat (confirmed, checked in or no-show; not
  cancelled, not left on the waiting list) in slots that were not cancelled.
- *Walk-ins*: participants counted at the desk without a booking.
- *Group participants*: people present at the other kinds of session — the attendance
  recorded at close, else the roster's checked-in participants.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from vr_booking.models import (
    Booking,
    BookingStatus,
    Participant,
    SessionKind,
    SessionStatus,
    VRSession,
)
from vr_booking.services.reports.scope import Period, Scope, within

BOOKED = (BookingStatus.confirmed, BookingStatus.checked_in, BookingStatus.no_show)
# The same set, as "none of the others": SQLite then reads a slot's bookings with one probe
# of ix_booking_session_id_status, not one a status (a network's month: 14 -> 10 ms).
NOT_BOOKED = tuple(status for status in BookingStatus if status not in BOOKED)


def pct(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole`` with one decimal; None when ``whole`` is 0."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class People:
    booked: int = 0
    checked_in: int = 0
    no_show: int = 0
    walk_ins: int = 0
    groups: Counter[str] = field(default_factory=Counter)  # participants by session kind

    @property
    def group_participants(self) -> int:
        return sum(self.groups.values())

    @property
    def served(self) -> int:
        """People who wore a headset or took part: checked in, walk-ins, group members."""
        return self.checked_in + self.walk_ins + self.group_participants

    @property
    def no_show_pct(self) -> float | None:
        """No-shows among the booked visitors whose session has passed."""
        return pct(self.no_show, self.checked_in + self.no_show)

    def add(self, other: "People") -> None:
        self.booked += other.booked
        self.checked_in += other.checked_in
        self.no_show += other.no_show
        self.walk_ins += other.walk_ins
        if other.groups:  # most centres have none: Counter.update is not free
            self.groups.update(other.groups)


def _held(scope: Scope, period: Period, now: datetime):
    return (VRSession.status != SessionStatus.cancelled, VRSession.starts_at < now,
            within(VRSession.starts_at, VRSession.centre_id, scope, period))


def sessions_by_kind(session: Session, scope: Scope, period: Period, now: datetime,
                     by: Any = VRSession.centre_id) -> dict[Any, Counter[str]]:
    """Centre id (or the ``by`` expression's value) → kind → sessions held."""
    by = by.label("bucket")  # grouped by name: PostgreSQL sees one expression, not two
    rows = session.exec(
        select(by, VRSession.kind, func.count())
        .where(*_held(scope, period, now))
        .group_by(by, VRSession.kind)
    ).all()
    counts: dict[Any, Counter[str]] = defaultdict(Counter)
    for key, kind, n in rows:
        counts[key][kind] = n
    return counts


def people_served(session: Session, scope: Scope, period: Period, now: datetime,
                  by: Any = VRSession.centre_id) -> dict[Any, People]:
    """Centre id (or the ``by`` expression's value, over ``VRSession``) → the people booked,
    checked in, absent, walking in and in groups."""
    by = by.label("bucket")
    people: dict[Any, People] = defaultdict(People)
    for key, status, n in session.exec(
        select(by, Booking.status, func.count()).select_from(Booking)
        .join(VRSession, col(VRSession.id) == Booking.session_id)
        .where(VRSession.status != SessionStatus.cancelled,
               VRSession.kind == SessionKind.open_access,
               col(Booking.status).not_in(NOT_BOOKED),
               within(VRSession.starts_at, VRSession.centre_id, scope, period))
        .group_by(by, Booking.status)
    ):
        person = people[key]
        person.booked += n
        if status == BookingStatus.checked_in:
            person.checked_in = n
        elif status == BookingStatus.no_show:
            person.no_show = n
    for key, n in session.exec(
        select(by, func.count()).select_from(Participant)
        .join(VRSession, col(VRSession.id) == Participant.session_id)
        .where(col(Participant.is_walk_in), *_held(scope, period, now))
        .group_by(by)
    ):
        people[key].walk_ins = n
    for key, kind, n in session.exec(_group_participants(scope, period, now, by)):
        people[key].groups[kind] = int(n or 0)
    return people


def _group_participants(scope: Scope, period: Period, now: datetime, by: Any):
    present = (select(func.count()).where(
        Participant.session_id == VRSession.id, col(Participant.checked_in_at).is_not(None),
        ~col(Participant.is_walk_in)).correlate(VRSession).scalar_subquery())
    return (select(by, VRSession.kind, func.sum(func.coalesce(VRSession.attendance, present)))
            .where(VRSession.kind != SessionKind.open_access, *_held(scope, period, now))
            .group_by(by, VRSession.kind))
