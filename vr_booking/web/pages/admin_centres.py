"""Administration pages for centres: the list, a new centre, one centre's details,
deactivation (refused with the list of what the centre still holds) and reactivation."""

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from vr_booking.i18n import _
from vr_booking.models import Centre, CentreKind, StaffUser, utcnow
from vr_booking.services.access import centre_by_slug
from vr_booking.services.admin import centres
from vr_booking.services.admin.permissions import require_admin
from vr_booking.services.errors import DomainError, InvalidInput
from vr_booking.web.deps import CurrentStaff, SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(prefix="/staff/admin/centres", include_in_schema=False)


def _messages() -> dict[str, str]:
    return {"created": _("The centre is created."), "saved": _("The changes are saved."),
            "deactivated": _("The centre is deactivated; its weekly open-access rules are "
                             "off and its free slots cancelled."),
            "reactivated": _("The centre is active again. Turn its weekly rules back on from "
                             "its open-access page.")}


@router.get("", name="admin_centres")
def centre_list(request: Request, session: SessionDep, staff: CurrentStaff):
    rows = centres.centres_for(session, staff)
    hubs = {c.id: c for c in rows if c.kind == CentreKind.hub}
    return render(request, "pages/admin_centres.html",
                  {"staff": staff, "centres": rows, "hubs": hubs})


def _form(request: Request, session: Session, staff: StaffUser, *, centre: Centre | None,
          values: dict, fields: tuple[str, ...], errors: dict[str, str] | None = None,
          message: str = "", message_at: str = "top", refusal: DomainError | None = None,
          status_code: int = 200):
    return render(request, "pages/admin_centre_form.html", {
        "staff": staff, "centre": centre, "values": values, "errors": errors or {},
        "editable": fields, "hubs": centres.active_hubs(session),
        "zones": sorted(centres.time_zones()),
        "message": message, "message_at": message_at, "refusal": refusal,
        "is_admin": staff.role == "admin",
    }, status_code=status_code)


async def _submitted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(form.get(k, ""))[:1000] for k in centres.FIELDS if k in form}


@router.get("/new", name="admin_centre_new")
def new_centre_form(request: Request, session: SessionDep, staff: CurrentStaff):
    require_admin(staff)
    values = dict.fromkeys(centres.FIELDS, "") | {"kind": CentreKind.associated}
    return _form(request, session, staff, centre=None, values=values,
                 fields=("slug", *centres.ADMIN_FIELDS))


@router.post("/new")
async def create_centre(request: Request, session: SessionDep, staff: CurrentStaff):
    values = await _submitted(request)
    try:
        centre = centres.create_centre(session, staff, values)
    except InvalidInput as error:
        discard(session)
        return _form(request, session, staff, centre=None, values=values, errors=error.fields,
                     fields=("slug", *centres.ADMIN_FIELDS), status_code=422)
    return _to_centre(request, centre.slug, "created")


def _to_centre(request: Request, slug: str, done: str) -> RedirectResponse:
    target = request.url_for("admin_centre", slug=slug).include_query_params(done=done)
    return RedirectResponse(target, status_code=303)


def _centre_page(request: Request, session: Session, staff: StaffUser, slug: str, **kwargs):
    centre = centre_by_slug(session, slug)
    fields = centres.editable_fields(session, staff, centre)
    kwargs.setdefault("values", centres.centre_values(session, centre))
    return _form(request, session, staff, centre=centre, fields=fields, **kwargs)


@router.get("/{slug}", name="admin_centre")
def centre_page(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                done: str = ""):
    return _centre_page(request, session, staff, slug, message=_messages().get(done, ""),
                        message_at="state" if done.endswith("activated") else "top")


@router.post("/{slug}")
async def update_centre(request: Request, slug: str, session: SessionDep,
                        staff: CurrentStaff):
    values = await _submitted(request)
    try:
        centres.update_centre(session, staff, slug, values)
    except InvalidInput as error:
        discard(session)
        return _centre_page(request, session, staff, slug, errors=error.fields,
                            values=centres.centre_values(session, centre_by_slug(
                                session, slug)) | values, status_code=422)
    return _to_centre(request, slug, "saved")


def _switch(request: Request, session: Session, staff: StaffUser, slug: str, action,
            done: str):
    try:
        action()
    except DomainError as error:
        discard(session)
        return _centre_page(request, session, staff, slug, refusal=error,
                            status_code=status_of(error))
    return _to_centre(request, slug, done)


@router.post("/{slug}/deactivate", name="admin_centre_deactivate")
def deactivate(request: Request, slug: str, session: SessionDep, staff: CurrentStaff):
    return _switch(request, session, staff, slug, lambda: centres.deactivate_centre(
        session, staff, slug, utcnow()), "deactivated")


@router.post("/{slug}/reactivate", name="admin_centre_reactivate")
def reactivate(request: Request, slug: str, session: SessionDep, staff: CurrentStaff):
    return _switch(request, session, staff, slug,
                   lambda: centres.reactivate_centre(session, staff, slug), "reactivated")
