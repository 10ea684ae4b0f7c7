"""Staff pages: sign in and out, the dashboard, a centre's staff page (role-scoped)."""

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse

from vr_booking.i18n import _
from vr_booking.models import utcnow
from vr_booking.services.access import require_centre, visible_centres
from vr_booking.services.admin.sessions import close_all_sessions, close_session, open_session
from vr_booking.services.admin.signin import sign_in
from vr_booking.services.centres import centre_overview
from vr_booking.services.errors import TooManyRequests
from vr_booking.web.deps import CurrentStaff, OptionalStaff, SessionDep
from vr_booking.web.errors import retry_headers
from vr_booking.web.ratelimit import client_address
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(prefix="/staff", include_in_schema=False)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/staff"


@router.get("/login", name="login_form")
def login_form(request: Request, staff: OptionalStaff, next: str = "/staff"):
    if staff is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "pages/login.html", {"next": _safe_next(next), "email": ""})


@router.post("/login")
def login(
    request: Request, session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form()] = "/staff",
):
    now = utcnow()
    try:
        user = sign_in(session, email, password, client_address(request), now)
    except TooManyRequests as error:
        response = render(request, "pages/login.html",
                          {"next": _safe_next(next), "email": email, "error": error.message},
                          status_code=429)
        response.headers.update(retry_headers(error) or {})
        return response
    if user is None:
        error = _("This e-mail and password do not match an active staff account.")
        return render(request, "pages/login.html",
                      {"next": _safe_next(next), "email": email, "error": error},
                      status_code=401)
    token = open_session(session, user, now, request.app.state.settings.session_max_age_seconds)
    request.session.clear()
    request.session.update({"v": user.session_version, "sid": token})
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep):
    """Sign out: the session ends on the server, so a copy of the cookie opens nothing."""
    token = request.session.get("sid")
    if token:
        close_session(session, token, utcnow())
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.post("/logout-everywhere", name="logout_everywhere")
def logout_everywhere(request: Request, session: SessionDep, staff: CurrentStaff):
    """Sign this account out of every browser and device, this one included."""
    close_all_sessions(session, staff, utcnow())
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("", name="staff_home")
def staff_home(request: Request, session: SessionDep, staff: CurrentStaff):
    return render(request, "pages/staff_home.html",
                  {"staff": staff, "centres": visible_centres(session, staff)})


@router.get("/centres/{slug}", name="staff_centre")
def staff_centre(request: Request, slug: str, session: SessionDep, staff: CurrentStaff):
    centre = require_centre(session, staff, slug)
    overview = centre_overview(session, centre, utcnow())
    return render(request, "pages/staff_centre.html", {
        "staff": staff, "centre": centre, "headsets": overview.headsets, "team": overview.team,
        "sessions": overview.sessions,
    })
