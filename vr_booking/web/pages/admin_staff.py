"""Administration pages for staff accounts: the list, a new account, one account's page
(role, centres, deactivation, reset link, and for administrators its API tokens)."""

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from vr_booking.i18n import _
from vr_booking.models import Role, StaffUser, utcnow
from vr_booking.services.admin import staff as accounts
from vr_booking.services.admin.accounts import display_zone
from vr_booking.services.admin.permissions import grantable_roles, require_staff_manager
from vr_booking.services.admin.tokens import list_tokens
from vr_booking.services.errors import DomainError, InvalidInput
from vr_booking.web.deps import CurrentStaff, SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.params import FormText, PathId
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(prefix="/staff/admin/staff", include_in_schema=False)
PAGE_SIZE = 50
FormSlugs = Annotated[list[str] | None, Form()]
ACTIVE_CHOICES = {"yes": True, "no": False, "": None}


def _messages() -> dict[str, str]:
    return {
        "created": _("The account is created; its holder was sent a link to choose a "
                     "password."),
        "saved": _("The changes are saved."),
        "deactivated": _("The account is deactivated: its sessions and API tokens stopped "
                         "working."),
        "reactivated": _("The account is active again."),
        "link_sent": _("A link to choose a password was sent."),
        "token_revoked": _("The token is revoked."),
    }


@router.get("", name="admin_staff")
def staff_list(request: Request, session: SessionDep, staff: CurrentStaff,
               centre: Annotated[str, Query(max_length=40)] = "",
               role: Annotated[str, Query(max_length=20)] = "",
               active: Annotated[str, Query(max_length=3)] = "yes",
               page: Annotated[int, Query(ge=1, le=10_000)] = 1):
    wanted = accounts.StaffFilter(centre=centre, role=role if role in set(Role) else "",
                                  active=ACTIVE_CHOICES.get(active))
    rows, total = accounts.list_staff(session, staff, wanted, limit=PAGE_SIZE,
                                      offset=(page - 1) * PAGE_SIZE)
    return render(request, "pages/admin_staff.html", {
        "staff": staff, "rows": rows, "total": total, "page": page, "page_size": PAGE_SIZE,
        "filters": {"centre": wanted.centre, "role": wanted.role, "active": active},
        "centres": accounts.assignable_centres(session, staff), "roles": list(Role),
    })


def _new_page(request: Request, session: Session, staff: StaffUser, values: dict,
              errors: dict[str, str] | None = None, status_code: int = 200):
    return render(request, "pages/admin_staff_new.html", {
        "staff": staff, "values": values, "errors": errors or {},
        "roles": grantable_roles(staff), "centres": accounts.assignable_centres(session, staff),
    }, status_code=status_code)


@router.get("/new", name="admin_staff_new")
def new_staff_form(request: Request, session: SessionDep, staff: CurrentStaff):
    require_staff_manager(staff)
    return _new_page(request, session, staff, {"role": Role.facilitator, "centres": []})


@router.post("/new")
def create_staff(request: Request, session: SessionDep, staff: CurrentStaff,
                 email: FormText = "", name: FormText = "", role: FormText = "",
                 centres: FormSlugs = None, can_edit_catalogue: FormText = ""):
    values = {"email": email, "name": name, "role": role, "centres": centres or [],
              "can_edit_catalogue": bool(can_edit_catalogue)}
    try:
        user = accounts.create_staff_member(session, staff, email=email, name=name, role=role,
                                            centre_slugs=centres or [], now=utcnow(),
                                            can_edit_catalogue=bool(can_edit_catalogue))
    except InvalidInput as error:
        discard(session)
        return _new_page(request, session, staff, values, error.fields, status_code=422)
    return _to_account(request, user.id, "created")


def _to_account(request: Request, staff_id: int, done: str) -> RedirectResponse:
    target = request.url_for("admin_staff_account", staff_id=staff_id)
    return RedirectResponse(target.include_query_params(done=done), status_code=303)


def _account_page(request: Request, session: Session, staff: StaffUser, staff_id: int, *,
                  values: dict | None = None, errors: dict[str, str] | None = None,
                  done: str = "", refusal: str = "", status_code: int = 200):
    row = accounts.get_staff(session, staff, staff_id)
    current = {"name": row.user.name, "role": row.user.role,
               "centres": [c.slug for c in row.centres],
               "can_edit_catalogue": row.user.can_edit_catalogue}
    return render(request, "pages/admin_staff_account.html", {
        "staff": staff, "row": row, "values": values or current, "errors": errors or {},
        "message": _messages().get(done, ""), "done": done, "refusal": refusal,
        "roles": grantable_roles(staff),
        "centres": _choices(session, staff, row), "is_self": row.user.id == staff.id,
        "tokens": list_tokens(session, row.user) if staff.role == Role.admin else None,
        "zone": display_zone(session, staff), "now": utcnow(),
    }, status_code=status_code)


def _choices(session: Session, staff: StaffUser, row: accounts.StaffRow) -> list:
    """The centres offered: those the viewer may assign, plus the person's current ones."""
    offered = accounts.assignable_centres(session, staff)
    known = {c.id for c in offered}
    return offered + [c for c in row.centres if c.id not in known]


@router.get("/{staff_id}", name="admin_staff_account")
def account(request: Request, staff_id: PathId, session: SessionDep, staff: CurrentStaff,
            done: str = ""):
    return _account_page(request, session, staff, staff_id, done=done)


@router.post("/{staff_id}")
def update_account(request: Request, staff_id: PathId, session: SessionDep,
                   staff: CurrentStaff, name: FormText = "", role: FormText = "",
                   centres: FormSlugs = None, can_edit_catalogue: FormText = ""):
    values = {"name": name, "role": role, "centres": centres or [],
              "can_edit_catalogue": bool(can_edit_catalogue)}
    right = bool(can_edit_catalogue) if staff.role == Role.admin else None  # admins' field
    try:
        accounts.update_staff(session, staff, staff_id, name=name, role=role,
                              centre_slugs=centres or [], can_edit_catalogue=right)
    except InvalidInput as error:
        discard(session)
        return _account_page(request, session, staff, staff_id, values=values,
                             errors=error.fields, status_code=422)
    return _to_account(request, staff_id, "saved")


def _act(request: Request, session: Session, staff: StaffUser, staff_id: int, action,
         done: str):
    """Run a state change; a refusal is shown on the account's page beside its buttons."""
    try:
        action()
    except DomainError as error:
        discard(session)
        return _account_page(request, session, staff, staff_id, refusal=error.message,
                             status_code=status_of(error))
    return _to_account(request, staff_id, done)


@router.post("/{staff_id}/deactivate", name="admin_staff_deactivate")
def deactivate(request: Request, staff_id: PathId, session: SessionDep, staff: CurrentStaff):
    return _act(request, session, staff, staff_id, lambda: accounts.deactivate_staff(
        session, staff, staff_id, utcnow()), "deactivated")


@router.post("/{staff_id}/reactivate", name="admin_staff_reactivate")
def reactivate(request: Request, staff_id: PathId, session: SessionDep, staff: CurrentStaff):
    return _act(request, session, staff, staff_id,
                lambda: accounts.reactivate_staff(session, staff, staff_id), "reactivated")


@router.post("/{staff_id}/send-link", name="admin_staff_send_link")
def send_link(request: Request, staff_id: PathId, session: SessionDep, staff: CurrentStaff):
    return _act(request, session, staff, staff_id, lambda: accounts.send_password_link(
        session, staff, staff_id, utcnow()), "link_sent")
