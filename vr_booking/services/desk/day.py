"""The desk's day: today's open-access slots and group sessions of a centre, with people.

Seats for walk-ins in an open-access slot = usable headsets (reserve included) − bookings
holding a seat (confirmed or checked in) − walk-ins already there. Read-only: the Today page
polls it, so a seat due for the no-show release shows as released before the sweep (or the
next check-in) records it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from babel.dates import format_date
from sqlmodel import Session, col, func, select

from vr_booking.db import ranges_overlap
from vr_booking.i18n import current_language
from vr_booking.models import (
    LONGEST_SESSION,
    Booking,
    BookingStatus,
    Centre,
    Participant,
    SessionKind,
    SessionStatus,
    VRSession,
)
from vr_booking.services.desk.board import HeadsetBoard, headset_board
from vr_booking.services.desk.no_shows import release_cutoff
from vr_booking.services.desk.people import participant_names
from vr_booking.services.groups.rotation import Rotation, plan_rotation
from vr_booking.services.open_access.capacity import SlotLoad, slot_loads
from vr_booking.services.timeutil import day_bounds, local_date


@dataclass
class SlotDesk:
    """An open-access slot as the desk sees it: seats, bookings and walk-ins."""

    load: SlotLoad
    walk_ins: int
    bookings: list[Booking] = field(default_factory=list)
    released: set[int] = field(default_factory=set)  # confirmed, but past the no-show release
    added_walk_in_id: int | None = None  # set by :func:`.walk_ins.add_walk_in`

    @property
    def held_seats(self) -> int:
        """Seats held by bookings: confirmed (and not released) or checked in."""
        return self.load.confirmed - len(self.released)

    @property
    def free_for_walk_ins(self) -> int:
        return max(0, self.load.headsets - self.held_seats - self.walk_ins)

    def status_of(self, booking: Booking) -> str:
        return BookingStatus.no_show if booking.id in self.released else booking.status

    def count(self, status: str) -> int:
        return sum(1 for b in self.bookings if self.status_of(b) == status)


@dataclass
class GroupDesk:
    """A group session of the day with its roster."""

    session: VRSession
    participants: list[Participant]

    @property
    def checked_in(self) -> int:
        return sum(1 for p in self.participants if p.checked_in_at is not None)

    @property
    def names(self) -> dict[int, str]:
        """Participant id → the name the desk shows (the same as hand-out messages)."""
        return participant_names(self.participants)

    @property
    def rotation(self) -> Rotation:
        """Its rounds and who is in each (the planner's; warnings are the planning pages')."""
        return plan_rotation(self.session, self.participants)


@dataclass
class DeskDay:
    centre: Centre
    day: date
    slots: list[SlotDesk]
    groups: list[GroupDesk]
    headsets: HeadsetBoard


def local_day(centre: Centre, instant: datetime) -> date:
    return local_date(instant, centre.timezone)


def other_day(centre: Centre, starts_at: datetime, now: datetime) -> str | None:
    """The session's local date, spelled out, when it is not today at the centre; else None.

    The desk acts on today's sessions only: every check-in and hand-out asks this.
    """
    day = local_day(centre, starts_at)
    if day == local_day(centre, now):
        return None
    return format_date(day, "full", locale=current_language.get())


def desk_day(session: Session, centre: Centre, now: datetime) -> DeskDay:
    """The centre's open-access slots and group sessions of today (local), with people."""
    day = local_day(centre, now)
    start, end = day_bounds(day, centre.timezone)
    sessions = session.exec(select(VRSession).where(
        VRSession.centre_id == centre.id, VRSession.status != SessionStatus.cancelled,
        ranges_overlap(VRSession.starts_at, VRSession.ends_at, start, end, LONGEST_SESSION),
    ).order_by(VRSession.starts_at, VRSession.id)).all()
    slots = [s for s in sessions if s.kind == SessionKind.open_access]
    groups = [s for s in sessions if s.kind != SessionKind.open_access]
    return DeskDay(centre, day, slot_desks(session, slots, with_bookings_at=now),
                   _group_desks(session, groups), headset_board(session, centre, sessions, now))


def slot_desks(session: Session, slots: list[VRSession],
               with_bookings_at: datetime | None = None) -> list[SlotDesk]:
    """Seats and walk-ins of these slots; with their non-cancelled bookings as they stand at
    ``with_bookings_at`` when it is given."""
    ids = [s.id for s in slots]
    walk_ins = dict(session.exec(
        select(Participant.session_id, func.count()).where(
            col(Participant.session_id).in_(ids), col(Participant.is_walk_in))
        .group_by(Participant.session_id)).all())
    desks = [SlotDesk(load, walk_ins.get(load.slot.id, 0)) for load in slot_loads(session, slots)]
    if with_bookings_at is None:
        return desks
    bookings = session.exec(select(Booking).where(
        col(Booking.session_id).in_(ids), Booking.status != BookingStatus.cancelled,
    ).order_by(func.lower(Booking.name), Booking.id)).all()
    cutoff = release_cutoff(session, with_bookings_at)
    for desk in desks:
        desk.bookings = [b for b in bookings if b.session_id == desk.load.slot.id]
        if desk.load.slot.starts_at <= cutoff:
            desk.released = {b.id for b in desk.bookings if b.status == BookingStatus.confirmed}
    return desks


def has_free_seat(session: Session, slot: VRSession) -> bool:
    """Whether a walk-in (or a late visitor whose seat was released) can sit in this slot."""
    return slot_desks(session, [slot])[0].free_for_walk_ins > 0


def _group_desks(session: Session, groups: list[VRSession]) -> list[GroupDesk]:
    people = session.exec(select(Participant).where(
        col(Participant.session_id).in_([g.id for g in groups]),
        col(Participant.is_walk_in).is_(False),
    ).order_by(Participant.display_name, Participant.id)).all()
    return [GroupDesk(g, [p for p in people if p.session_id == g.id]) for g in groups]
