"""Walk-ins: people who come without booking are counted, without personal data, in a slot
of today that still has a free seat."""

from datetime import datetime

from sqlmodel import Session

from vr_booking.db import lock_centres
from vr_booking.i18n import _
from vr_booking.labels import N_
from vr_booking.models import (
    AgeBand,
    Centre,
    Gender,
    Participant,
    SessionKind,
    SessionStatus,
    StaffUser,
    VRSession,
)
from vr_booking.services.access import sees_centre
from vr_booking.services.desk.day import SlotDesk, has_free_seat, other_day, slot_desks
from vr_booking.services.desk.no_shows import release_today
from vr_booking.services.errors import Conflict, Forbidden, InvalidInput, NotFound

GENDER_LABELS = {Gender.female: N_("Woman"), Gender.male: N_("Man"),
                 Gender.non_binary: N_("Non-binary")}


def _walk_in_slot(session: Session, staff: StaffUser, slot_id: int,
                  desk_centre_id: int | None) -> VRSession:
    slot = session.get(VRSession, slot_id)
    if slot is None or slot.kind != SessionKind.open_access or (
            desk_centre_id is not None and slot.centre_id != desk_centre_id):
        raise NotFound("unknown_slot", _("This session does not exist."))
    if not sees_centre(session, staff, slot.centre_id):
        raise Forbidden("not_your_centre", _("This session belongs to another centre."))
    return slot


def _check_walk_in(age_band: str, gender: str) -> None:
    problems = {}
    if age_band not in {"", *AgeBand}:
        problems["age_band"] = _("Choose an age band from the list.")
    if gender not in {"", *Gender}:
        problems["gender"] = _("Choose a gender from the list.")
    if problems:
        raise InvalidInput("invalid_walk_in", " ".join(problems.values()), problems)


def add_walk_in(session: Session, staff: StaffUser, slot_id: int, now: datetime, *,
                age_band: str = "", gender: str = "",
                centre_id: int | None = None) -> SlotDesk:
    """Count one walk-in (no personal data) in a slot of today that has a free seat."""
    _check_walk_in(age_band, gender)
    slot = _walk_in_slot(session, staff, slot_id, centre_id)
    centre = session.get(Centre, slot.centre_id)
    lock_centres(session, [centre.id])
    release_today(session, centre, now)
    session.refresh(slot)
    if slot.status != SessionStatus.planned:
        raise Conflict("slot_closed", _("This session is cancelled or closed."))
    day = other_day(centre, slot.starts_at, now)
    if day:
        raise Conflict("wrong_day", _("Walk-ins are added on the day: this session is on "
                                      "{date}.").format(date=day))
    if not has_free_seat(session, slot):
        raise Conflict("no_free_seat", _("No seat is free for a walk-in in this session."))
    walk_in = Participant(session_id=slot.id, is_walk_in=True, age_band=age_band,
                          gender=gender, checked_in_at=now)
    session.add(walk_in)
    session.flush()
    desk = slot_desks(session, [slot])[0]
    desk.added_walk_in_id = walk_in.id
    return desk
