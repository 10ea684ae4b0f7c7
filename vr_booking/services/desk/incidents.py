"""Incidents at the desk (field rules 3 and 7): someone felt unwell, a headset was damaged
or lost, or something else worth noting.

Feeling unwell ends that person's immersion at once (the headset goes back, to clean).
Damage puts the headset in maintenance and a loss marks it lost, through
:func:`vr_booking.services.fleet.state.change_state`, which refuses a change that would
strand confirmed bookings unless ``confirmed`` (at the desk, an explicit box the facilitator
ticks). Notes stay short and never hold medical details; only what happened is kept.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from vr_booking.db import lock_centres
from vr_booking.i18n import _, ngettext
from vr_booking.labels import N_, label
from vr_booking.models import (
    Headset,
    HeadsetUse,
    Incident,
    IncidentKind,
    ServiceState,
    StaffUser,
)
from vr_booking.services.desk.handout import end_use
from vr_booking.services.desk.people import Holder, desk_centre, find_holder, holder_of_use
from vr_booking.services.desk.rules import open_use_of, open_use_on
from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.fleet.access import require_headset
from vr_booking.services.fleet.state import StateChangeResult, centres_concerned, change_state

NOTE_MAX_LENGTH = 500
REST_ADVICE = N_("Advise them to rest until they feel completely well, and not to drive or "
                 "ride a bike before then.")
NEW_STATE = {IncidentKind.damage: ServiceState.maintenance, IncidentKind.loss: ServiceState.lost}
STATE_REASONS = {IncidentKind.damage: N_("Damage reported at the desk"),
                 IncidentKind.loss: N_("Reported lost at the desk")}


@dataclass
class IncidentReport:
    incident: Incident
    headset: Headset | None
    holder: Holder | None
    ended_use: HeadsetUse | None = None
    state_change: StateChangeResult | None = None

    @property
    def advice(self) -> str | None:
        """What to tell the person; shown with the result (rule 7)."""
        return _(REST_ADVICE) if self.incident.kind == IncidentKind.felt_unwell else None


@dataclass
class PersonRef:
    """Who the incident is about, as the desk or the API names them (all optional)."""

    token: str | None = None
    code: str | None = None
    participant_id: int | None = None

    def given(self) -> bool:
        return bool(self.token or self.code or self.participant_id is not None)


def report_incident(session: Session, staff: StaffUser, now: datetime, kind: str, *,
                    asset_tag: str | None = None, person: PersonRef | None = None,
                    note: str = "", confirmed: bool = False,
                    centre_id: int | None = None) -> IncidentReport:
    """Log an incident and do what it implies (end the immersion, take the headset out)."""
    person = person or PersonRef()
    note = _check(kind, asset_tag, person, note)
    if kind == IncidentKind.felt_unwell:
        return _felt_unwell(session, staff, now, asset_tag, person, note, centre_id)
    headset = require_headset(session, staff, asset_tag, now) if asset_tag else None
    holder = _holder(session, staff, headset, person, centre_id)
    centres = centres_concerned(session, headset, now) if headset else set()
    lock_centres(session, centres | ({holder.session.centre_id} if holder else set()))
    report = IncidentReport(_log(session, staff, now, kind, note, headset, holder),
                            headset, holder)
    if kind in NEW_STATE:
        session.refresh(headset)
        report.ended_use = _end_use_on(session, headset, now)
        if headset.service_state != NEW_STATE[kind]:
            report.state_change = change_state(session, headset, NEW_STATE[kind],
                                               note or _(STATE_REASONS[kind]), staff, now,
                                               confirmed=confirmed)
    return report


def incident_message(report: IncidentReport) -> str:
    """What the desk shows (and the API returns) once the incident is logged."""
    lines = [_("Incident logged.")]
    if report.ended_use is not None and report.holder is not None:
        lines.append(_("{name}'s immersion has ended.").format(name=report.holder.name))
    if report.ended_use is not None and report.state_change is None:
        lines.append(_("{tag} is to clean.").format(tag=report.headset.asset_tag))
    if report.state_change is not None:
        lines.append(_("{tag} is now out of service ({state}).").format(
            tag=report.headset.asset_tag, state=label(report.headset.service_state)))
        moved = len(report.state_change.waitlisted)
        if moved:
            lines.append(ngettext("%(num)d booking went back to the waiting list.",
                                  "%(num)d bookings went back to the waiting list.",
                                  moved) % {"num": moved})
    return " ".join(lines)


def _check(kind: str, asset_tag: str | None, person: PersonRef, note: str) -> str:
    """The stripped note, once the kind and what it needs are there."""
    note = note.strip()
    fields = {}
    if kind not in set(IncidentKind):
        fields["kind"] = _("Choose what happened from the list.")
    elif kind in NEW_STATE and not asset_tag:
        fields["headset"] = _("Say which headset.")
    elif not (asset_tag or person.given()):
        fields["headset"] = _("Say which headset or which person.")
    if len(note) > NOTE_MAX_LENGTH:
        fields["note"] = _("The note is limited to {n} characters.").format(n=NOTE_MAX_LENGTH)
    if fields:
        raise InvalidInput("invalid_incident", " ".join(fields.values()), fields)
    return note


def _holder(session: Session, staff: StaffUser, headset: Headset | None, person: PersonRef,
            centre_id: int | None) -> Holder | None:
    """The person named, else the one wearing the headset, else nobody."""
    if person.given():
        holder = find_holder(session, token=person.token, code=person.code,
                             participant_id=person.participant_id)
    elif headset is not None and (use := open_use_on(session, headset.id)) is not None:
        holder = holder_of_use(session, use)
    else:
        return None
    desk_centre(session, staff, holder.session, centre_id)
    return holder


def _felt_unwell(session: Session, staff: StaffUser, now: datetime, asset_tag: str | None,
                 person: PersonRef, note: str, centre_id: int | None) -> IncidentReport:
    """End the person's immersion if they wear a headset, and log it (rule 7)."""
    headset = require_headset(session, staff, asset_tag, now) if asset_tag else None
    holder = _holder(session, staff, headset, person, centre_id)
    if holder is None:
        raise Conflict("headset_not_in_use", _("Nobody is wearing {tag} at the moment: say "
                                               "who felt unwell.").format(tag=asset_tag))
    lock_centres(session, [holder.session.centre_id])
    use = open_use_of(session, holder)
    if headset is not None and (use is None or use.headset_id != headset.id):
        raise Conflict("not_the_holder", _("{name} is not wearing {tag}.").format(
            name=holder.name, tag=headset.asset_tag))
    if use is not None:
        headset = session.get(Headset, use.headset_id)
        session.refresh(headset)
        end_use(session, use, headset, now)
    incident = _log(session, staff, now, IncidentKind.felt_unwell, note, headset, holder)
    return IncidentReport(incident, headset, holder, ended_use=use)


def _end_use_on(session: Session, headset: Headset, now: datetime) -> HeadsetUse | None:
    """A damaged or lost headset is no longer worn: its use ends."""
    use = open_use_on(session, headset.id)
    if use is not None:
        end_use(session, use, headset, now)
    return use


def _log(session: Session, staff: StaffUser, now: datetime, kind: str, note: str,
         headset: Headset | None, holder: Holder | None) -> Incident:
    incident = Incident(
        kind=kind, note=note, reported_by_id=staff.id, occurred_at=now,
        headset_id=headset.id if headset else None,
        session_id=holder.session.id if holder else None,
        booking_id=holder.booking.id if holder and holder.booking else None,
        participant_id=holder.participant.id if holder and holder.participant else None)
    session.add(incident)
    session.flush()
    return incident
