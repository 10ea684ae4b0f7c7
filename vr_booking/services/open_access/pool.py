"""The headset pool of a centre and the bookings that depend on it.

Anything that shrinks what a centre can offer (a headset leaving service or getting a foam
cover, headsets reserved for a group session, headsets lent away) is a *pool change*. It is
made under :func:`vr_booking.db.lock_centres`, flushed, and then settled here: if confirmed
bookings no longer fit some slot (or a group session would lose its headsets), the change is
refused with the list of what it strands, unless the manager confirmed it; then the newest
confirmed bookings move back to the waiting list and are told by e-mail.
"""

from collections.abc import Iterable
from datetime import datetime

from babel.dates import format_datetime
from sqlmodel import Session, col, select

from vr_booking.i18n import _, current_language
from vr_booking.labels import label
from vr_booking.models import Booking, Centre, StaffUser, VRSession
from vr_booking.services.audit import record
from vr_booking.services.errors import Conflict
from vr_booking.services.fleet.reservations import Reservation
from vr_booking.services.open_access import capacity, waitlist
from vr_booking.services.open_access.capacity import SlotLoad
from vr_booking.services.open_access.mail import notify_booking_change
from vr_booking.services.timeutil import to_local


class StrandingConflict(Conflict):
    """Taking the headset out of service would strand bookings or group sessions.

    ``clashes`` holds one line a stranded slot or session, which pages list as they are.
    """

    def __init__(self, slots: list[SlotLoad], allocations: list[Reservation],
                 centres: dict[int, Centre]) -> None:
        self.slots, self.allocations, self.centres = slots, allocations, centres
        self.clashes = [_("Open access on {when} at {centre}: {confirmed} confirmed bookings "
                          "for {capacity} seats").format(
            when=_when(load.slot, centres), centre=_centre_name(load.slot, centres),
            confirmed=load.confirmed, capacity=load.capacity) for load in slots]
        self.clashes += [_("{session} on {when} at {centre}").format(
            session=s.title or label(s.kind), when=_when(s, centres),
            centre=_centre_name(s, centres)) for _a, s in allocations]
        heading = _("This change would strand confirmed bookings or group sessions:")
        super().__init__("would_strand", "\n".join([heading, *self.clashes]))


def _when(vr_session: VRSession, centres: dict[int, Centre]) -> str:
    local = to_local(vr_session.starts_at, centres[vr_session.centre_id].timezone)
    return format_datetime(local, "short", locale=current_language.get())


def _centre_name(vr_session: VRSession, centres: dict[int, Centre]) -> str:
    return centres[vr_session.centre_id].name


def centres_by_id(session: Session, sessions: Iterable[VRSession]) -> dict[int, Centre]:
    ids = {s.centre_id for s in sessions}
    return {c.id: c for c in session.exec(select(Centre).where(col(Centre.id).in_(ids)))}


def settle_pool_change(session: Session, centre_ids: Iterable[int], now: datetime, *,
                       confirmed: bool, stranded_sessions: list[Reservation] | None = None,
                       notify: waitlist.Notify = notify_booking_change,
                       actor: StaffUser | None = None) -> list[Booking]:
    """Refuse or resolve a flushed pool change at these centres; returns the bookings moved.

    ``stranded_sessions`` are group reservations the change would take away. Unless
    ``confirmed``, any stranded slot or session raises :class:`StrandingConflict` (the
    caller's transaction then rolls back, so nothing changes). The moves the manager
    (``actor``) confirmed are written to the audit trail, bookings named by id only.
    """
    stranded_sessions = stranded_sessions or []
    overbooked = capacity.overbooked_slots(session, centre_ids, now)
    if (overbooked or stranded_sessions) and not confirmed:
        raise StrandingConflict(overbooked, stranded_sessions, centres_by_id(
            session, [s for _a, s in stranded_sessions] + [load.slot for load in overbooked]))
    moved: list[Booking] = []
    for load in overbooked:
        demoted = waitlist.rebalance(session, load, now, notify)
        if demoted:
            record(session, actor, "waitlist.moved", centre_id=load.slot.centre_id,
                   subject_type="slot", subject_id=load.slot.id,
                   summary="bookings " + ", ".join(f"#{b.id}" for b in demoted)
                   + " moved to the waiting list")
        moved += demoted
    return moved
