"""Public pages: home, health check, language switch."""

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import text

from vr_booking.i18n import LANGUAGES
from vr_booking.models import utcnow
from vr_booking.services.open_access.slots import upcoming_open_access
from vr_booking.web.deps import OptionalStaff, SessionDep
from vr_booking.web.middleware import LANGUAGE_COOKIE
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
ONE_YEAR = 365 * 24 * 3600


@router.get("/")
def home(request: Request, session: SessionDep, staff: OptionalStaff):
    days = upcoming_open_access(session, utcnow())
    return render(request, "pages/home.html", {"days": days, "staff": staff},
                  block_name="calendar")


@router.get("/healthz")
def healthz(session: SessionDep) -> JSONResponse:
    session.exec(text("SELECT 1"))
    return JSONResponse({"status": "ok"})


@router.get("/lang/{code}", name="set_language")
def set_language(code: str, next: str = "/") -> RedirectResponse:
    """Remember the chosen language and go back where the visitor was (same site only)."""
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=ONE_YEAR, samesite="lax")
    return response
