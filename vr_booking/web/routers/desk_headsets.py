"""The Today page's headsets: hand-out, return, cleaning, incidents, group check-in.

Like the rest of the desk, forms post normally without JavaScript (the whole page comes
back); with htmx only the result block comes back and ``desk-changed`` reloads the board.
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlmodel import Session

from vr_booking.i18n import _
from vr_booking.models import Centre, StaffUser, utcnow
from vr_booking.services.auth import require_centre
from vr_booking.services.errors import DomainError
from vr_booking.services.fleet import require_headset
from vr_booking.services.fleet_edit import log_cleaning
from vr_booking.services.handout import (
    check_in_participant,
    hand_out,
    hand_out_message,
    return_headset,
    return_message,
)
from vr_booking.services.incidents import PersonRef, incident_message, report_incident
from vr_booking.web.deps import CurrentStaff, SessionDep
from vr_booking.web.params import MAX_ID, PathId, ids_from
from vr_booking.web.routers.desk import done, refused

router = APIRouter(prefix="/staff/centres/{slug}/today", include_in_schema=False)
FormText = Annotated[str, Form(max_length=200)]
NoteText = Annotated[str, Form(max_length=2000)]
VideoIds = Annotated[list[str] | None, Form(description="the ticked video checkboxes")]
OptionalId = Annotated[int | None, Form(ge=1, le=MAX_ID)]


def _act(request: Request, session: Session, staff: StaffUser, centre: Centre,
         action: Callable[[], str | tuple[str, str | None]]):
    """Run ``action`` (which returns the notice, or (notice, advice)), commit, answer."""
    try:
        outcome = action()
    except DomainError as error:
        return refused(request, session, staff, centre, error)
    session.commit()
    notice, advice = outcome if isinstance(outcome, tuple) else (outcome, None)
    return done(request, session, staff, centre, notice, advice=advice)


@router.post("/handouts", name="desk_hand_out")
def post_hand_out(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                  headset: FormText = "", code: FormText = "",
                  participant_id: OptionalId = None):
    """Hand a headset to a checked-in visitor (ticket code) or participant."""
    centre = require_centre(session, staff, slug)

    def action() -> str:
        return hand_out_message(hand_out(session, staff, utcnow(), headset, code=code or None,
                                         participant_id=participant_id, centre_id=centre.id))

    return _act(request, session, staff, centre, action)


@router.post("/returns", name="desk_return")
def post_return(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                headset: FormText = "", video: VideoIds = None):
    """Take a headset back, with the videos the person watched (the ticked boxes)."""
    centre = require_centre(session, staff, slug)

    def action() -> str:
        return return_message(return_headset(session, staff, utcnow(), headset,
                                             video_ids=ids_from(video or []), centre_id=centre.id))

    return _act(request, session, staff, centre, action)


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

    return _act(request, session, staff, centre, action)


@router.post("/incidents", name="desk_incident")
def post_incident(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                  kind: FormText = "", headset: FormText = "", code: FormText = "",
                  participant_id: OptionalId = None,
                  note: NoteText = "", confirm: FormText = ""):
    """Felt unwell (ends the immersion), damage or loss of a headset, or another incident."""
    centre = require_centre(session, staff, slug)

    def action() -> tuple[str, str | None]:
        report = report_incident(
            session, staff, utcnow(), kind, asset_tag=headset or None,
            person=PersonRef(code=code or None, participant_id=participant_id), note=note,
            confirmed=confirm == "yes", centre_id=centre.id)
        return incident_message(report), report.advice

    return _act(request, session, staff, centre, action)


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

    return _act(request, session, staff, centre, action)
