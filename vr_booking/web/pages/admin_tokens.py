"""Everyone's own API tokens page: list, create (the token is shown once), revoke.
Administrators revoke anyone's from the person's account page."""

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from vr_booking.i18n import _
from vr_booking.models import StaffUser, utcnow
from vr_booking.services.admin import tokens
from vr_booking.services.admin.accounts import display_zone
from vr_booking.services.errors import InvalidInput
from vr_booking.web.deps import CurrentStaff, SessionDep, discard
from vr_booking.web.params import FormText, PathId
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(prefix="/staff/tokens", include_in_schema=False)
DAY_CHOICES = (30, 90, 365)


def _page(request: Request, session: Session, staff: StaffUser, *, new_token: str = "",
          values: dict | None = None, errors: dict[str, str] | None = None,
          message: str = "", status_code: int = 200):
    response = render(request, "pages/admin_tokens.html", {
        "staff": staff, "tokens": tokens.list_tokens(session, staff), "new_token": new_token,
        "values": values or {"days": "90"}, "errors": errors or {}, "message": message,
        "day_choices": DAY_CHOICES, "zone": display_zone(session, staff), "now": utcnow(),
        "next": request.url_for("my_tokens").path,
    }, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # the page may show a new token
    return response


@router.get("", name="my_tokens")
def my_tokens(request: Request, session: SessionDep, staff: CurrentStaff, done: str = ""):
    message = _("The token is revoked.") if done == "revoked" else ""
    return _page(request, session, staff, message=message)


@router.post("")
def create_token(request: Request, session: SessionDep, staff: CurrentStaff,
                 label: FormText = "", days: FormText = "90"):
    try:
        _row, token = tokens.create_token(session, staff, label,
                                          int(days) if days.isdecimal() and len(days) < 5
                                          else 0, utcnow())
    except InvalidInput as error:
        discard(session)
        return _page(request, session, staff, values={"label": label, "days": days},
                     errors=error.fields, status_code=422)
    return _page(request, session, staff, new_token=token)


def _safe_next(target: str) -> str:
    return target if target.startswith("/staff/") and "//" not in target else "/staff/tokens"


@router.post("/{token_id}/revoke", name="revoke_token")
def revoke(request: Request, token_id: PathId, session: SessionDep, staff: CurrentStaff,
           next: Annotated[str, Form(max_length=200)] = "/staff/tokens"):
    tokens.revoke_token(session, staff, token_id, utcnow())
    target = _safe_next(next)
    done = "revoked" if target == "/staff/tokens" else "token_revoked"
    return RedirectResponse(f"{target}?done={done}#tokens", status_code=303)
