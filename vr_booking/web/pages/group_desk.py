"""Running a group: on the Today page, "all present" and handing a round its headsets; then
the close form (debriefing, videos watched, attendance)."""

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from vr_booking.i18n import _, ngettext
from vr_booking.models import StaffUser, VRSession, utcnow
from vr_booking.services.access import require_centre
from vr_booking.services.desk.checkin import check_in_group
from vr_booking.services.desk.rounds import hand_out_round, round_message
from vr_booking.services.errors import DomainError
from vr_booking.services.groups.closing import close_group_session
from vr_booking.services.groups.queries import group_detail, require_group
from vr_booking.web.deps import CurrentStaff, SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.pages.desk import done, refused
from vr_booking.web.params import MAX_ID, FormIds, PathId, ids_from
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
TODAY_GROUP = "/staff/centres/{slug}/today/groups/{group_id}"
FormCount = Annotated[str, Form(max_length=12)]


@router.post(TODAY_GROUP + "/all-present", name="desk_group_all_present")
def all_present(request: Request, slug: str, group_id: PathId, session: SessionDep,
                staff: CurrentStaff, present: FormCount = ""):
    """Check the whole group in; a group without a roster says how many came."""
    centre = require_centre(session, staff, slug)
    count = int(present) if present.isascii() and present.isdigit() else None
    try:
        result = check_in_group(session, staff, group_id, utcnow(), centre_id=centre.id,
                                present=count if count is None or count <= MAX_ID else -1)
    except DomainError as error:
        return refused(request, session, staff, centre, error)
    notice = ngettext("%(num)d person checked in", "%(num)d people checked in",
                      result.newly) % {"num": result.newly}
    notice += " · " + _("{n} present in {group}.").format(
        n=result.present, group=result.group.title or _("the group"))
    return done(request, session, staff, centre, notice)


@router.post(TODAY_GROUP + "/rounds/{number}", name="desk_group_round")
def hand_out_to_round(request: Request, slug: str, group_id: PathId, number: PathId,
                      session: SessionDep, staff: CurrentStaff):
    """Hand headsets to the checked-in people of one round, with the usual hand-out rules."""
    centre = require_centre(session, staff, slug)
    try:
        result = hand_out_round(session, staff, utcnow(), group_id, number, centre.id)
    except DomainError as error:
        return refused(request, session, staff, centre, error)
    return done(request, session, staff, centre, round_message(result))


# --- closing --------------------------------------------------------------------------------

def _close_page(request: Request, session: Session, staff: StaffUser, group: VRSession,
                values: dict, errors: dict | None = None, status_code: int = 200):
    found = group_detail(session, staff, group)
    return render(request, "pages/group_close.html", {
        "staff": staff, "found": found, "group": group, "centre": found.centre,
        "values": values, "errors": errors or {}, "now": utcnow(),
        "checked_in": sum(1 for p in found.roster if p.checked_in_at)},
        status_code=status_code)


@router.get("/staff/groups/{group_id}/close", name="group_close")
def close_form(request: Request, group_id: PathId, session: SessionDep, staff: CurrentStaff):
    group = require_group(session, staff, group_id)
    return _close_page(request, session, staff, group, {})


@router.post("/staff/groups/{group_id}/close")
def close(request: Request, group_id: PathId, session: SessionDep, staff: CurrentStaff,
          debrief: Annotated[str, Form(max_length=20000)] = "",
          attendance: FormCount = "", videos: FormIds = None):
    group = require_group(session, staff, group_id)
    values = {"debrief": debrief, "attendance": attendance, "videos": ids_from(videos)}
    count = int(attendance) if attendance.isascii() and attendance.isdigit() else None
    if count is None and attendance.strip():
        count = -1  # not a number: the service says what an attendance is
    try:
        close_group_session(session, staff, group, utcnow(), debrief=debrief,
                            videos_watched=values["videos"],
                            attendance=count if count is None or count <= MAX_ID else -1)
    except DomainError as error:
        discard(session)
        group = require_group(session, staff, group_id)
        errors = error.fields or {_field_of(error.code): error.message}
        return _close_page(request, session, staff, group, values, errors,
                           status_of(error))
    return RedirectResponse(f"/staff/groups/{group_id}?saved=closed", status_code=303)


def _field_of(code: str) -> str:
    """Where a refusal of the close gate is shown."""
    return {"debrief_required": "debrief", "attendance_required": "attendance"}.get(code,
                                                                                  "close")
