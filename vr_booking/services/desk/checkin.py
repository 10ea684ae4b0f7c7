"""Checking people in at the desk: visitors by their ticket (QR scan or typed code), group
participants from the roster one by one, or a whole group at once ("all present").

Both are idempotent: a second scan or click answers "already checked in" and changes
nothing. Every check-in locks the centre (:func:`vr_booking.db.lock_centres`) and re-reads
the person after the lock, so two desks scanning the same ticket end with one check-in.
"""

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_time
from sqlmodel import Session, col, select

from vr_booking.db import lock_centres
from vr_booking.i18n import _, current_language
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
from vr_booking.services.desk.day import has_free_seat, other_day
from vr_booking.services.desk.no_shows import release_today
from vr_booking.services.desk.people import Holder, desk_centre, find_holder, find_ticket, reread
from vr_booking.services.errors import Conflict, InvalidInput, NotFound
from vr_booking.services.timeutil import to_local

MAX_GROUP = 500  # people checked in at once in a group without a roster


@dataclass
class CheckIn:
    booking: Booking
    slot: VRSession
    centre: Centre
    already: bool


def check_in(session: Session, staff: StaffUser, now: datetime, *, token: str | None = None,
             code: str | None = None, centre_id: int | None = None) -> CheckIn:
    """Check a ticket in at the desk of ``centre_id`` (None: any centre the staff works at).

    A visitor arriving after the no-show release gets a seat only if one is still free for
    walk-ins.
    """
    booking = find_ticket(session, token, code)
    slot = session.get(VRSession, booking.session_id)
    centre = desk_centre(session, staff, slot, centre_id)
    lock_centres(session, [centre.id])
    release_today(session, centre, now)
    session.refresh(booking)  # another desk may have checked it in while we waited
    session.refresh(slot)
    if booking.session_id != slot.id:  # moved to another slot before we took the lock
        raise Conflict("ticket_changed", _("This booking changed a moment ago: please try "
                                           "again."))
    _check_status(booking, slot, centre, now)
    if booking.status == BookingStatus.checked_in:
        return CheckIn(booking, slot, centre, already=True)
    if booking.status == BookingStatus.no_show and not has_free_seat(session, slot):
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
    day = other_day(centre, slot.starts_at, now)
    if day:
        raise Conflict("wrong_day", _("This ticket is for {date}, not today.").format(date=day))


def check_in_message(result: CheckIn) -> str:
    """What the desk shows (and the API returns) after a successful scan."""
    at = format_time(to_local(result.booking.checked_in_at, result.centre.timezone), "short",
                     locale=current_language.get())
    if result.already:
        return _("{name} was already checked in at {time}.").format(
            name=result.booking.name, time=at)
    return _("{name} is checked in ({time}).").format(name=result.booking.name, time=at)


def check_in_participant(session: Session, staff: StaffUser, participant_id: int,
                         now: datetime, centre_id: int | None = None) -> tuple[Holder, bool]:
    """Check a group participant in (today, at the desk's centre); True when already."""
    holder = find_holder(session, participant_id=participant_id)
    centre = desk_centre(session, staff, holder.session, centre_id)
    lock_centres(session, [centre.id])
    reread(session, holder)
    if holder.session.status == SessionStatus.cancelled:
        raise Conflict("cancelled", _("This session was cancelled."))
    if other_day(centre, holder.session.starts_at, now):
        raise Conflict("wrong_day", _("{name} is expected on another day, not today.").format(
            name=holder.name))
    if holder.participant.checked_in_at is not None:
        return holder, True
    holder.participant.checked_in_at = now
    session.add(holder.participant)
    session.flush()
    return holder, False


@dataclass
class GroupCheckIn:
    group: VRSession
    newly: int  # checked in by this action
    present: int  # checked in now, in all


def check_in_group(session: Session, staff: StaffUser, group_id: int, now: datetime, *,
                   centre_id: int | None = None, present: int | None = None) -> GroupCheckIn:
    """"All present": check in every participant of today's group not yet checked in. A
    group without a roster records ``present`` people instead (anonymous participants)."""
    group = session.get(VRSession, group_id)
    if group is None or group.kind == SessionKind.open_access:
        raise NotFound("unknown_group_session", _("This group session does not exist."))
    centre = desk_centre(session, staff, group, centre_id)
    lock_centres(session, [centre.id])
    session.refresh(group)
    if group.status != SessionStatus.planned:
        raise Conflict("not_planned", _("This session is cancelled or closed."))
    day = other_day(centre, group.starts_at, now)
    if day:
        raise Conflict("wrong_day", _("This group is expected on {date}, not today.").format(
            date=day))
    roster = session.exec(select(Participant).where(
        Participant.session_id == group.id, col(Participant.is_walk_in).is_(False))).all()
    if roster:
        todo = [p for p in roster if p.checked_in_at is None]
    else:
        todo = _anonymous_group(group, present)
    for participant in todo:
        participant.checked_in_at = now
    session.add_all(todo)
    session.flush()
    return GroupCheckIn(group, len(todo), len(roster) if roster else len(todo))


def _anonymous_group(group: VRSession, present: int | None) -> list[Participant]:
    if present is None or not 1 <= present <= MAX_GROUP:
        message = _("Say how many people are here (1 to {n}).").format(n=MAX_GROUP)
        raise InvalidInput("invalid_present", message, {"present": message})
    return [Participant(session_id=group.id) for _n in range(present)]
