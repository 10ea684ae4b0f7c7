"""The admins' jobs page: each periodic job's last and next run, last error and rows
handled; the outbox's failed messages with a retry button."""

from datetime import timedelta
from typing import Annotated

from babel.dates import format_timedelta
from fastapi import Query, Request
from fastapi.responses import RedirectResponse

from vr_booking.i18n import current_language
from vr_booking.models import utcnow
from vr_booking.services.access import require_admin
from vr_booking.services.notify.job_runs import (
    display_zone,
    has_given_up,
    job_statuses,
    outbox_summary,
    retry_message,
)
from vr_booking.web.deps import CurrentStaff, SessionDep
from vr_booking.web.params import MAX_ID, PathId
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(prefix="/staff", include_in_schema=False)


def _duration(period: timedelta) -> str:
    return format_timedelta(period, locale=current_language.get())


@router.get("/periodic-jobs", name="periodic_jobs")
def periodic_jobs(request: Request, session: SessionDep, staff: CurrentStaff,
                  retried: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
    require_admin(staff)
    now = utcnow()
    return render(request, "pages/periodic_jobs.html", {
        "staff": staff, "jobs": job_statuses(session, now), "outbox": outbox_summary(session),
        "now": now, "given_up": has_given_up, "retried": retried, "duration": _duration,
        "zone": display_zone(session), "smtp_host": request.app.state.settings.smtp_host,
    })


@router.post("/periodic-jobs/outbox/{message_id}/retry", name="retry_message")
def retry(request: Request, message_id: PathId, session: SessionDep, staff: CurrentStaff):
    require_admin(staff)
    message = retry_message(session, staff, message_id, utcnow())
    if request.headers.get("HX-Request"):
        return render(request, "partials/_outbox_message.html", {
            "message": message, "retried": message.id, "given_up": has_given_up,
            "zone": display_zone(session)})
    return RedirectResponse(request.url_for("periodic_jobs").include_query_params(
        retried=message.id), status_code=303)
