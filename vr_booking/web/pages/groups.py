"""Planning pages for managers: a centre's group sessions, the planning form (new and edit),
a session's page, cancelling, and its printable one-page plan (A4, black and white)."""

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from vr_booking.models import Centre, StaffUser, VRSession, utcnow
from vr_booking.services.access import can_manage, require_centre, require_managed_centre
from vr_booking.services.errors import DomainError, InvalidInput
from vr_booking.services.groups.allocation import HeadsetsBusy
from vr_booking.services.groups.inputs import parse_plan
from vr_booking.services.groups.planning import (
    cancel_group_session,
    create_group_session,
    plan_values,
    update_group_session,
)
from vr_booking.services.groups.queries import (
    group_detail,
    list_groups,
    require_group,
    require_planner,
)
from vr_booking.services.groups.roster import group_qr_url
from vr_booking.services.open_access.pool import StrandingConflict
from vr_booking.services.qr import qr_png, qr_svg
from vr_booking.web.deps import CurrentStaff, SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.pages.group_forms import (
    FormValues,
    blank_values,
    form_choices,
    plan_request,
    session_values,
)
from vr_booking.web.params import FormText, PathId
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/staff/centres/{slug}/groups", name="groups")
def groups_page(request: Request, slug: str, session: SessionDep, staff: CurrentStaff):
    centre = require_centre(session, staff, slug)
    now = utcnow()
    coming, _total = list_groups(session, {centre.id}, now, None, 200, 0)
    return render(request, "pages/group_list.html", {
        "staff": staff, "centre": centre, "groups": coming,
        "can_plan": can_manage(session, staff, centre.id)})


# --- the planning form ----------------------------------------------------------------------

def _form_page(request: Request, session: Session, staff: StaffUser, centre: Centre,
               values: dict[str, Any], group: VRSession | None = None,
               error: DomainError | None = None) -> Response:
    return render(request, "pages/group_form.html", {
        "staff": staff, "centre": centre, "group": group, "values": values,
        "errors": error.fields if error else {}, "error": error,
        "busy": error if isinstance(error, HeadsetsBusy) else None,
        "stranding": error if isinstance(error, StrandingConflict) else None,
        **form_choices(session, centre),
    }, status_code=status_of(error) if error else 200)


@router.get("/staff/centres/{slug}/groups/new", name="group_new")
def new_group_form(request: Request, slug: str, session: SessionDep, staff: CurrentStaff):
    centre = require_managed_centre(session, staff, slug)
    return _form_page(request, session, staff, centre, blank_values(centre))


@router.post("/staff/centres/{slug}/groups/new")
def create_group(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                 values: FormValues):
    centre = require_managed_centre(session, staff, slug)
    try:
        plan = parse_plan(plan_request(values, centre))
        done = create_group_session(session, staff, centre, plan, utcnow(),
                                    confirmed=values.get("confirm") == "yes")
    except (InvalidInput, HeadsetsBusy, StrandingConflict) as error:
        discard(session)
        return _form_page(request, session, staff, centre, values, error=error)
    return _saved(done.group.id, "created", len(done.moved))


@router.get("/staff/groups/{group_id}/edit", name="group_edit")
def edit_group_form(request: Request, group_id: PathId, session: SessionDep,
                    staff: CurrentStaff):
    group = require_planner(session, staff, group_id)
    centre = session.get(Centre, group.centre_id)
    return _form_page(request, session, staff, centre,
                      session_values(plan_values(session, group), centre), group)


@router.post("/staff/groups/{group_id}/edit")
def update_group(request: Request, group_id: PathId, session: SessionDep,
                 staff: CurrentStaff, values: FormValues):
    group = require_planner(session, staff, group_id)
    centre = session.get(Centre, group.centre_id)
    try:
        done = update_group_session(session, staff, group, plan_request(values, centre),
                                    utcnow(), confirmed=values.get("confirm") == "yes")
    except (InvalidInput, HeadsetsBusy, StrandingConflict) as error:
        discard(session)
        group = require_planner(session, staff, group_id)
        return _form_page(request, session, staff, centre, values, group, error)
    return _saved(group_id, "updated", len(done.moved))


def _saved(group_id: int, what: str, moved: int = 0) -> RedirectResponse:
    query = f"saved={what}" + (f"&moved={moved}" if moved else "")
    return RedirectResponse(f"/staff/groups/{group_id}?{query}", status_code=303)


# --- one session ----------------------------------------------------------------------------

def group_page(request: Request, session: Session, staff: StaffUser, group: VRSession,
               status_code: int = 200, **extra: Any) -> Response:
    """A session's page; ``extra`` carries a form's values and errors (roster, cancel)."""
    found = group_detail(session, staff, group)
    context = {"staff": staff, "found": found, "centre": found.centre, "group": group,
               "now": utcnow(), "roster_values": {}, "roster_errors": {},
               "saved": request.query_params.get("saved", "")[:20],
               "moved": request.query_params.get("moved", "")[:5], **extra}
    return render(request, "pages/group_detail.html", context, status_code=status_code)


@router.get("/staff/groups/{group_id}", name="group")
def group_detail_page(request: Request, group_id: PathId, session: SessionDep,
                      staff: CurrentStaff):
    return group_page(request, session, staff, require_group(session, staff, group_id))


@router.post("/staff/groups/{group_id}/cancel", name="group_cancel")
def cancel_group(request: Request, group_id: PathId, session: SessionDep,
                 staff: CurrentStaff, sure: FormText = ""):
    group = require_planner(session, staff, group_id)
    if sure != "yes":
        return group_page(request, session, staff, group, status_code=422,
                          cancel_error=True)
    cancel_group_session(session, staff, group, utcnow())
    return _saved(group_id, "cancelled")


@router.get("/staff/groups/{group_id}/plan", name="group_plan")
def printable_plan(request: Request, group_id: PathId, session: SessionDep,
                   staff: CurrentStaff):
    """One A4 page in black and white: the rounds, who is in each, the non-VR activity."""
    group = require_group(session, staff, group_id)
    found = group_detail(session, staff, group)
    return render(request, "pages/group_plan.html", {
        "staff": staff, "found": found, "centre": found.centre, "group": group})


@router.get("/staff/groups/{group_id}/qr.svg", name="group_qr")
def group_qr(group_id: PathId, session: SessionDep, staff: CurrentStaff) -> Response:
    """The group's QR code: it opens the group on its centre's Today page."""
    group = require_group(session, staff, group_id)
    return Response(qr_svg(group_qr_url(session, group)), media_type="image/svg+xml")


@router.get("/staff/groups/{group_id}/qr.png", name="group_qr_png")
def group_qr_png(group_id: PathId, session: SessionDep, staff: CurrentStaff) -> Response:
    group = require_group(session, staff, group_id)
    return Response(qr_png(group_qr_url(session, group)), media_type="image/png")
