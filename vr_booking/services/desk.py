"""The facilitator's desk: today's sessions, check-in, walk-ins and the no-show release.

The day's headsets (hand-out and return) are :mod:`handout_board` and :mod:`handout`.

Seats for walk-ins in an open-access slot = usable headsets (reserve included) − bookings holding
a seat (confirmed or checked in) − walk-ins already there. A booked visitor's seat is held
until ``no_show_release_minutes`` after the slot starts; then a still-confirmed booking
becomes a no-show and its seat goes to walk-ins. Every write takes the centre lock
(:func:`capacity.lock_centres`) and counts only after it.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from babel.dates import format_date, format_time
from sqlmodel import Session, col, func, select

from vr_booking.config import settings_for
from vr_booking.i18n import _, current_language
from vr_booking.labels import N_
from vr_booking.models import (
    Booking,
    BookingStatus,
    Centre,
    Participant,
    SessionKind,
    SessionStatus,
    StaffUser,
    VRSession,
)
from vr_booking.services.auth import visible_centre_ids
from vr_booking.services.capacity import SlotLoad, lock_centres, slot_loads
from vr_booking.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from vr_booking.services.handout_board import HeadsetBoard, headset_board
from vr_booking.services.timeutil import local_to_utc, to_local

TICKET_PATH_RE = re.compile(r"/b/([A-Za-z0-9_-]+)")


class AgeBand(StrEnum):
    """Anonymous age bands; they add up to the European Social Fund's <25, 25–54, 55+."""

    teen = "13-17"
    young = "18-24"
    adult = "25-54"
    senior = "55+"


class Gender(StrEnum):
    female = "female"
    male = "male"
    non_binary = "non_binary"


GENDER_LABELS = {Gender.female: N_("Woman"), Gender.male: N_("Man"),
                 Gender.non_binary: N_("Non-binary")}


@dataclass
class SlotDesk:
    """An open-access slot as the desk sees it: seats, bookings and walk-ins."""

    load: SlotLoad
    walk_ins: int
    bookings: list[Booking] = field(default_factory=list)

    @property
    def free_for_walk_ins(self) -> int:
        return max(0, self.load.headsets - self.load.confirmed - self.walk_ins)

    def count(self, status: str) -> int:
        return sum(1 for b in self.bookings if b.status == status)


@dataclass
class GroupDesk:
    """A group session of the day with its roster."""

    session: VRSession
    participants: list[Participant]

    @property
    def checked_in(self) -> int:
        return sum(1 for p in self.participants if p.checked_in_at is not None)


@dataclass
class DeskDay:
    centre: Centre
    day: date
    slots: list[SlotDesk]
    groups: list[GroupDesk]
    headsets: HeadsetBoard


@dataclass
class CheckIn:
    booking: Booking
    slot: VRSession
    centre: Centre
    already: bool


# --- the day ------------------------------------------------------------------------------

def local_day(centre: Centre, instant: datetime) -> date:
    return to_local(instant, centre.timezone).date()


def day_bounds(centre: Centre, day: date) -> tuple[datetime, datetime]:
    """The UTC instants of the centre's local midnight starting and ending ``day``."""
    return (local_to_utc(day, time(0), centre.timezone),
            local_to_utc(day + timedelta(days=1), time(0), centre.timezone))


def desk_day(session: Session, centre: Centre, now: datetime) -> DeskDay:
    """The centre's open-access slots and group sessions of today (local), with people."""
    day = local_day(centre, now)
    start, end = day_bounds(centre, day)
    sessions = session.exec(select(VRSession).where(
        VRSession.centre_id == centre.id, VRSession.status != SessionStatus.cancelled,
        VRSession.starts_at < end, VRSession.ends_at > start,
    ).order_by(VRSession.starts_at, VRSession.id)).all()
    slots = [s for s in sessions if s.kind == SessionKind.open_access]
    groups = [s for s in sessions if s.kind != SessionKind.open_access]
    return DeskDay(centre, day, slot_desks(session, slots, with_bookings=True),
                   _group_desks(session, groups), headset_board(session, centre, sessions, now))


def slot_desks(session: Session, slots: list[VRSession],
               with_bookings: bool = False) -> list[SlotDesk]:
    """Seats and walk-ins of these slots (and their non-cancelled bookings if asked)."""
    ids = [s.id for s in slots]
    walk_ins = dict(session.exec(
        select(Participant.session_id, func.count()).where(
            col(Participant.session_id).in_(ids), col(Participant.is_walk_in))
        .group_by(Participant.session_id)).all())
    desks = [SlotDesk(load, walk_ins.get(load.slot.id, 0)) for load in slot_loads(session, slots)]
    if with_bookings:
        bookings = session.exec(select(Booking).where(
            col(Booking.session_id).in_(ids), Booking.status != BookingStatus.cancelled,
        ).order_by(func.lower(Booking.name), Booking.id)).all()
        for desk in desks:
            desk.bookings = [b for b in bookings if b.session_id == desk.load.slot.id]
    return desks


def _group_desks(session: Session, groups: list[VRSession]) -> list[GroupDesk]:
    people = session.exec(select(Participant).where(
        col(Participant.session_id).in_([g.id for g in groups]),
        col(Participant.is_walk_in).is_(False),
    ).order_by(Participant.display_name, Participant.id)).all()
    return [GroupDesk(g, [p for p in people if p.session_id == g.id]) for g in groups]


# --- no-shows -----------------------------------------------------------------------------

def _due_no_shows(session: Session, now: datetime,
                  centre_ids: list[int] | None) -> Sequence[tuple[int, int]]:
    """(booking id, centre id) of confirmed bookings whose seat is due for release."""
    cutoff = now - timedelta(minutes=settings_for(session).no_show_release_minutes)
    query = select(Booking.id, VRSession.centre_id).join(
        VRSession, col(VRSession.id) == Booking.session_id,
    ).where(Booking.status == BookingStatus.confirmed,
            VRSession.kind == SessionKind.open_access,
            VRSession.status != SessionStatus.cancelled, VRSession.starts_at <= cutoff)
    if centre_ids is not None:
        query = query.where(col(VRSession.centre_id).in_(centre_ids))
    return session.exec(query).all()


def has_due_no_shows(session: Session, now: datetime, centre_ids: list[int]) -> bool:
    """Whether :func:`release_no_shows` has something to do (a read, no lock)."""
    return bool(_due_no_shows(session, now, centre_ids))


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


# --- check-in -----------------------------------------------------------------------------

def normalise_code(text: str) -> str:
    """ABCD-EFGH, abcd efgh, " abcdefgh " → ABCDEFGH."""
    return re.sub(r"[\s-]", "", text).upper()


def find_ticket(session: Session, token: str | None, code: str | None) -> Booking:
    """The booking of a token, a typed short code, or a ticket URL (a USB scanner types it)."""
    text = (token or code or "").strip()
    url = TICKET_PATH_RE.search(text)
    if url or token:
        query = select(Booking).where(Booking.token == (url.group(1) if url else text))
    else:
        query = select(Booking).where(Booking.short_code == normalise_code(text))
    booking = session.exec(query).first()
    if booking is None:
        raise NotFound("unknown_ticket", _("No ticket has this code. Check it and try again."))
    return booking


def _check_access(session: Session, staff: StaffUser, centre: Centre,
                  desk_centre_id: int | None) -> None:
    if desk_centre_id is not None and centre.id != desk_centre_id:
        raise Conflict("wrong_centre", _("This ticket is for {centre}, not this centre.")
                       .format(centre=centre.name))
    if centre.id not in visible_centre_ids(session, staff):
        raise Forbidden("not_your_centre", _("This ticket belongs to another centre."))


def _other_day(centre: Centre, starts_at: datetime, now: datetime) -> str | None:
    """The session's local date, spelled out, when it is not today; else None."""
    day = local_day(centre, starts_at)
    if day == local_day(centre, now):
        return None
    return format_date(day, "full", locale=current_language.get())


def check_in(session: Session, staff: StaffUser, now: datetime, *, token: str | None = None,
             code: str | None = None, centre_id: int | None = None) -> CheckIn:
    """Check a ticket in at the desk of ``centre_id`` (None: any centre the staff works at).

    A second scan answers ``already=True`` and changes nothing. A visitor arriving after
    the no-show release gets a seat only if one is still free for walk-ins.
    """
    booking = find_ticket(session, token, code)
    slot = session.get(VRSession, booking.session_id)
    centre = session.get(Centre, slot.centre_id)
    _check_access(session, staff, centre, centre_id)
    lock_centres(session, [centre.id])
    release_no_shows(session, now, [centre.id])
    session.refresh(booking)  # another desk may have checked it in while we waited
    session.refresh(slot)
    if booking.session_id != slot.id:  # moved to another slot before we took the lock
        raise Conflict("ticket_changed", _("This booking changed a moment ago: please try "
                                           "again."))
    _check_status(booking, slot, centre, now)
    if booking.status == BookingStatus.checked_in:
        return CheckIn(booking, slot, centre, already=True)
    if booking.status == BookingStatus.no_show and not _has_free_seat(session, slot):
        raise Conflict("seat_released", _(
            "This visitor came after their seat was released, and no seat is free now."))
    booking.status, booking.checked_in_at = BookingStatus.checked_in, now
    session.add(booking)
    session.flush()
    return CheckIn(booking, slot, centre, already=False)


def _check_status(booking: Booking, slot: VRSession, centre: Centre, now: datetime) -> None:
    if booking.status == BookingStatus.cancelled or slot.status == SessionStatus.cancelled:
        raise Conflict("cancelled", _("This booking was cancelled."))
    if booking.status == BookingStatus.waitlisted:
        raise Conflict("waitlisted", _("This booking is on the waiting list, not confirmed. "
                                       "If a seat is free, add the person as a walk-in."))
    other_day = _other_day(centre, slot.starts_at, now)
    if other_day:
        raise Conflict("wrong_day", _("This ticket is for {date}, not today.").format(
            date=other_day))


def _has_free_seat(session: Session, slot: VRSession) -> bool:
    return slot_desks(session, [slot])[0].free_for_walk_ins > 0


def check_in_message(result: CheckIn) -> str:
    """What the desk shows (and the API returns) after a successful scan."""
    at = format_time(to_local(result.booking.checked_in_at, result.centre.timezone), "short",
                     locale=current_language.get())
    if result.already:
        return _("{name} was already checked in at {time}.").format(
            name=result.booking.name, time=at)
    return _("{name} is checked in ({time}).").format(name=result.booking.name, time=at)


# --- walk-ins -----------------------------------------------------------------------------

def _walk_in_slot(session: Session, staff: StaffUser, slot_id: int,
                  desk_centre_id: int | None) -> VRSession:
    slot = session.get(VRSession, slot_id)
    if slot is None or slot.kind != SessionKind.open_access or (
            desk_centre_id is not None and slot.centre_id != desk_centre_id):
        raise NotFound("unknown_slot", _("This session does not exist."))
    if slot.centre_id not in visible_centre_ids(session, staff):
        raise Forbidden("not_your_centre", _("This session belongs to another centre."))
    return slot


def add_walk_in(session: Session, staff: StaffUser, slot_id: int, now: datetime, *,
                age_band: str = "", gender: str = "",
                centre_id: int | None = None) -> SlotDesk:
    """Count one walk-in (no personal data) in a slot of today that has a free seat."""
    problems = {}
    if age_band not in {"", *AgeBand}:
        problems["age_band"] = _("Choose an age band from the list.")
    if gender not in {"", *Gender}:
        problems["gender"] = _("Choose a gender from the list.")
    if problems:
        raise InvalidInput("invalid_walk_in", " ".join(problems.values()), problems)
    slot = _walk_in_slot(session, staff, slot_id, centre_id)
    lock_centres(session, [slot.centre_id])
    release_no_shows(session, now, [slot.centre_id])
    session.refresh(slot)
    if slot.status != SessionStatus.planned:
        raise Conflict("slot_closed", _("This session is cancelled or closed."))
    other_day = _other_day(session.get(Centre, slot.centre_id), slot.starts_at, now)
    if other_day:
        raise Conflict("wrong_day", _("Walk-ins are added on the day: this session is on "
                                      "{date}.").format(date=other_day))
    if not _has_free_seat(session, slot):
        raise Conflict("no_free_seat", _("No seat is free for a walk-in in this session."))
    session.add(Participant(session_id=slot.id, is_walk_in=True, age_band=age_band,
                            gender=gender, checked_in_at=now))
    session.flush()
    return slot_desks(session, [slot])[0]
