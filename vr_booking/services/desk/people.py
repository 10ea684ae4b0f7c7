"""Who the desk acts on: a booked visitor or a participant (walk-in or group member), and
whether this desk and this staff member may act on them."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from vr_booking.i18n import _
from vr_booking.models import (
    CHILD_AGE_BAND,
    Booking,
    BookingStatus,
    Centre,
    HeadsetUse,
    Participant,
    SessionKind,
    SessionStatus,
    StaffUser,
    VRSession,
)
from vr_booking.services.access import sees_centre
from vr_booking.services.errors import Conflict, Forbidden, NotFound
from vr_booking.services.open_access.tickets import normalise_code, token_in


def holder_key(booking_id: int | None, participant_id: int | None) -> str:
    """The key naming a person on the board: ``b<booking id>`` or ``p<participant id>``."""
    return f"b{booking_id}" if booking_id else f"p{participant_id}"


@dataclass
class Holder:
    """Who a headset is handed to: a booked visitor or a participant (walk-in or group)."""

    session: VRSession
    booking: Booking | None = None
    participant: Participant | None = None
    name: str = ""

    @property
    def key(self) -> str:
        return holder_key(self.booking.id if self.booking else None,
                          self.participant.id if self.participant else None)

    @property
    def is_open_access(self) -> bool:
        return self.session.kind == SessionKind.open_access

    @property
    def is_child(self) -> bool:
        """A participant under 13 on a group's roster: never given a headset (rule 1)."""
        return self.participant is not None and self.participant.age_band == CHILD_AGE_BAND

    @property
    def is_checked_in(self) -> bool:
        if self.session.status == SessionStatus.cancelled:
            return False
        if self.booking is not None:
            return self.booking.status == BookingStatus.checked_in
        return self.participant.checked_in_at is not None

    def person_filter(self) -> ColumnElement[bool]:
        """The SQL condition selecting this person's headset uses."""
        if self.booking is not None:
            return col(HeadsetUse.booking_id) == self.booking.id
        return col(HeadsetUse.participant_id) == self.participant.id


def participant_names(roster: Iterable[Participant]) -> dict[int, str]:
    """Participant id → the name the desk shows: theirs, else "Walk-in n" / "Participant n"
    numbered like the Today page lists them (walk-ins by arrival, a roster by name)."""
    walk_ins = sorted((p for p in roster if p.is_walk_in), key=lambda p: p.id)
    group = sorted((p for p in roster if not p.is_walk_in), key=lambda p: (p.display_name, p.id))
    names = {p.id: p.display_name or _("Walk-in {n}").format(n=n)
             for n, p in enumerate(walk_ins, 1)}
    names.update({p.id: p.display_name or _("Participant {n}").format(n=n)
                  for n, p in enumerate(group, 1)})
    return names


def find_ticket(session: Session, token: str | None, code: str | None) -> Booking:
    """The booking of a token, a typed short code, or a ticket URL (a USB scanner types it)."""
    text = (token or code or "").strip()
    from_url = token_in(text)
    if from_url or token:
        query = select(Booking).where(Booking.token == (from_url or text))
    else:
        query = select(Booking).where(Booking.short_code == normalise_code(text))
    booking = session.exec(query).first()
    if booking is None:
        raise NotFound("unknown_ticket", _("No ticket has this code. Check it and try again."))
    return booking


def find_holder(session: Session, *, token: str | None = None, code: str | None = None,
                participant_id: int | None = None) -> Holder:
    """The person of a ticket (token, typed code or URL) or a participant id, named."""
    if participant_id is not None:
        participant = session.get(Participant, participant_id)
        if participant is None:
            raise NotFound("unknown_participant", _("This participant does not exist."))
        return _named(session, Holder(session.get(VRSession, participant.session_id),
                                      participant=participant))
    booking = find_ticket(session, token, code)
    return _named(session, Holder(session.get(VRSession, booking.session_id), booking=booking))


def holder_of_use(session: Session, use: HeadsetUse) -> Holder:
    holder = Holder(session.get(VRSession, use.session_id),
                    booking=session.get(Booking, use.booking_id) if use.booking_id else None,
                    participant=session.get(Participant, use.participant_id)
                    if use.participant_id else None)
    return _named(session, holder)


def _named(session: Session, holder: Holder) -> Holder:
    if holder.booking is not None:
        holder.name = holder.booking.name
    else:
        roster = session.exec(select(Participant).where(
            Participant.session_id == holder.session.id)).all()
        holder.name = participant_names(roster)[holder.participant.id]
    return holder


def desk_centre(session: Session, staff: StaffUser, vr_session: VRSession,
                desk_centre_id: int | None) -> Centre:
    """The centre of the person's session, if the desk and the staff member may act there.

    ``desk_centre_id`` is the centre of the desk acting (None: any centre the staff member
    works for, as the API allows).
    """
    centre = session.get(Centre, vr_session.centre_id)
    if desk_centre_id is not None and centre.id != desk_centre_id:
        raise Conflict("wrong_centre", _("This person is expected at {centre}, not at this "
                                         "centre.").format(centre=centre.name))
    if not sees_centre(session, staff, centre.id):
        raise Forbidden("not_your_centre", _("This person belongs to another centre."))
    return centre


def reread(session: Session, holder: Holder) -> None:
    """Fresh rows after taking the lock: another desk may have changed them meanwhile."""
    for row in (holder.session, holder.booking, holder.participant):
        if row is not None:
            session.refresh(row)
