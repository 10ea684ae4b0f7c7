"""Choosing a password with a one-time link (invitation or reset), and "forgot password".

These pages are for people who cannot sign in, so they need no session. The link's token is
in the address: the answers carry ``Referrer-Policy: no-referrer`` so that it never leaves in
a Referer header.
"""

from typing import Annotated

from fastapi import Form, Request
from starlette.responses import Response

from vr_booking.models import utcnow
from vr_booking.services.admin.links import find_link, request_reset, set_password_with_link
from vr_booking.services.admin.passwords import MIN_PASSWORD_LENGTH
from vr_booking.services.errors import InvalidInput, NotFound
from vr_booking.web.deps import SessionDep, discard
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(prefix="/staff/password", include_in_schema=False)
Password = Annotated[str, Form(max_length=1024)]


def _private(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/forgot", name="forgot_password")
def forgot_form(request: Request):
    return render(request, "pages/admin_password_forgot.html", {"sent": False, "email": ""})


@router.post("/forgot")
def forgot(request: Request, session: SessionDep,
           email: Annotated[str, Form(max_length=254)] = ""):
    """The same answer whether or not the address has an account."""
    request_reset(session, email, utcnow())
    return render(request, "pages/admin_password_forgot.html", {"sent": True, "email": email})


def _set_page(request: Request, token: str, *, user=None, errors=None, done: bool = False,
              status_code: int = 200) -> Response:
    return _private(render(request, "pages/admin_password_set.html", {
        "token": token, "user": user, "errors": errors or {}, "done": done,
        "min_length": MIN_PASSWORD_LENGTH,
    }, status_code=status_code))


@router.get("/{token}", name="set_password")
def set_password_form(request: Request, token: str, session: SessionDep):
    try:
        _link, user = find_link(session, token, utcnow())
    except NotFound:
        return _set_page(request, token, status_code=404)
    return _set_page(request, token, user=user)


@router.post("/{token}")
def set_password(request: Request, token: str, session: SessionDep,
                 password: Password = "", password_again: Password = ""):
    now = utcnow()
    try:
        user = set_password_with_link(session, token, password, password_again, now)
    except NotFound:
        discard(session)
        return _set_page(request, token, status_code=404)
    except InvalidInput as error:
        discard(session)
        return _set_page(request, token, user=find_link(session, token, now)[1],
                         errors=error.fields, status_code=422)
    return _set_page(request, token, user=user, done=True)
