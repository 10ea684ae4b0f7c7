"""The Today page's headsets: hand-out, return, cleaning, charge, incidents, group check-in.

Like the rest of the desk (:mod:`.desk`), each answer is shown next to the row it changed:
the person's row for a hand-out or a check-in, the headset's row for a return, a cleaning,
a charge or an incident.
"""

from collections.abc import Callable

from fastapi import Request
from sqlmodel import Session

from vr_booking.i18n import _, ngettext
from vr_booking.models import Centre, StaffUser, utcnow
from vr_booking.services.access import require_centre
from vr_booking.services.desk.checkin import check_in_participant
from vr_booking.services.desk.handout import (
    hand_out,
    hand_out_message,
    return_headset,
    return_message,
)
from vr_booking.services.desk.incidents import PersonRef, incident_message, report_incident
from vr_booking.services.desk.people import holder_key
from vr_booking.services.errors import DomainError
from vr_booking.services.fleet.access import require_headset
from vr_booking.services.fleet.edits import log_cleaning, record_full_charge, record_full_charges
from vr_booking.services.fleet.location import headsets_at
from vr_booking.web.deps import CurrentStaff, SessionDep
from vr_booking.web.pages.desk import done, refused, where
from vr_booking.web.params import FormIds, FormNote, FormText, OptionalFormId, PathId, ids_from
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/staff/centres/{slug}/today", include_in_schema=False)


def _act(request: Request, session: Session, staff: StaffUser, centre: Centre,
         action: Callable[[], str | tuple[str, str | None]], keys: tuple[str, ...],
         refused_at: tuple[str, ...] | None = None):
    """Run ``action`` (which returns the notice, or (notice, advice)) and answer at ``keys``
    (a refusal at ``refused_at`` when the row of ``keys`` may not be on the board)."""
    try:
        outcome = action()
    except DomainError as error:
        return refused(request, session, staff, centre, error, keys=refused_at or keys)
    notice, advice = outcome if isinstance(outcome, tuple) else (outcome, None)
    return done(request, session, staff, centre, notice, advice=advice, keys=keys)


@router.post("/handouts", name="desk_hand_out")
def post_hand_out(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                  headset: FormText = "", code: FormText = "",
                  participant_id: OptionalFormId = None, at: FormText = ""):
    """Hand a headset to a checked-in visitor (ticket code) or participant."""
    centre = require_centre(session, staff, slug)

    def action() -> str:
        return hand_out_message(hand_out(session, staff, utcnow(), headset, code=code or None,
                                         participant_id=participant_id, centre_id=centre.id))

    return _act(request, session, staff, centre, action, where(at))  # the person's key


@router.post("/returns", name="desk_return")
def post_return(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                headset: FormText = "", video: FormIds = None):
    """Take a headset back, with the videos the person watched (the ticked boxes)."""
    centre = require_centre(session, staff, slug)

    def action() -> str:
        return return_message(return_headset(session, staff, utcnow(), headset,
                                             video_ids=ids_from(video), centre_id=centre.id))

    return _act(request, session, staff, centre, action, where(f"headset-{headset}"))


@router.post("/cleanings", name="desk_cleaning")
def post_cleaning(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                  headset: FormText = "", method: FormText = ""):
    """One click after a return: the headset was cleaned (wipes or UV-C)."""
    centre = require_centre(session, staff, slug)

    def action() -> str:
        now = utcnow()
        cleaned = require_headset(session, staff, headset, now)
        log_cleaning(session, cleaned, method, staff, now)
        return _("Cleaning of {tag} logged: it is ready.").format(tag=cleaned.asset_tag)

    return _act(request, session, staff, centre, action, where(f"headset-{headset}"))


@router.post("/charges", name="desk_charge")
def post_charge(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                headset: FormText = ""):
    """Record 100 % now: one headset (``headset``), or all those here and not worn."""
    centre = require_centre(session, staff, slug)

    def one() -> str:
        now = utcnow()
        charged = require_headset(session, staff, headset, now)
        record_full_charge(session, charged, now)
        return _("{tag} is recorded at 100 %.").format(tag=charged.asset_tag)

    def all_here() -> str:
        now = utcnow()
        charged = record_full_charges(session, headsets_at(session, centre, now, now), now)
        return ngettext("%(num)d headset is recorded at 100 %%.",
                        "%(num)d headsets are recorded at 100 %%.", len(charged)) % {
            "num": len(charged)}

    if headset:
        return _act(request, session, staff, centre, one, where(f"headset-{headset}"))
    return _act(request, session, staff, centre, all_here, where("charge-all"))


@router.post("/incidents", name="desk_incident")
def post_incident(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                  kind: FormText = "", headset: FormText = "", code: FormText = "",
                  participant_id: OptionalFormId = None,
                  note: FormNote = "", confirm: FormText = ""):
    """Felt unwell (ends the immersion), damage or loss of a headset, or another incident."""
    centre = require_centre(session, staff, slug)

    def action() -> tuple[str, str | None]:
        report = report_incident(
            session, staff, utcnow(), kind, asset_tag=headset or None,
            person=PersonRef(code=code or None, participant_id=participant_id), note=note,
            confirmed=confirm == "yes", centre_id=centre.id)
        return incident_message(report), report.advice

    return _act(request, session, staff, centre, action, where(f"headset-{headset}"))


@router.post("/participants/{participant_id}/checkin", name="desk_participant_check_in")
def post_participant_check_in(request: Request, slug: str, participant_id: PathId,
                              session: SessionDep, staff: CurrentStaff):
    """Check a group participant in (a second click changes nothing)."""
    centre = require_centre(session, staff, slug)

    def action() -> str:
        holder, already = check_in_participant(session, staff, participant_id, utcnow(),
                                                centre.id)
        if already:
            return _("{name} was already checked in.").format(name=holder.name)
        return _("{name} is checked in.").format(name=holder.name)

    return _act(request, session, staff, centre, action, where(holder_key(None, participant_id)),
                refused_at=("board",))
