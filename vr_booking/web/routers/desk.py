"""The facilitator's Today page: the day's sessions with their people, check-in, walk-ins.

Forms post normally without JavaScript (the whole page comes back); with htmx only the
result block comes back and an ``HX-Trigger`` makes the board reload at once.
"""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlmodel import Session

from vr_booking.i18n import _
from vr_booking.models import Centre, StaffUser, utcnow
from vr_booking.services.auth import require_centre
from vr_booking.services.desk import (
    GENDER_LABELS,
    AgeBand,
    add_walk_in,
    check_in,
    check_in_message,
    desk_day,
    has_due_no_shows,
    release_no_shows,
)
from vr_booking.services.errors import DomainError
from vr_booking.web.deps import CurrentStaff, SessionDep
from vr_booking.web.params import FormId
from vr_booking.web.templating import local_time, render

router = APIRouter(prefix="/staff/centres/{slug}/today", include_in_schema=False)
DESK_CHANGED = "desk-changed"  # the htmx event that reloads the board
FormText = Annotated[str, Form(max_length=200)]


def _release_no_shows(request: Request, session: Session, centre: Centre) -> None:
    """Run the sweep in a write transaction of its own.

    Page reads use a deferred transaction on SQLite, which must not turn into a writer
    (it fails at once if another desk wrote meanwhile); most polls find nothing to do.
    """
    now = utcnow()
    if not has_due_no_shows(session, now, [centre.id]):
        return
    with Session(request.app.state.engine, info=session.info) as writer:
        release_no_shows(writer, now, [centre.id])
        writer.commit()
    session.commit()  # end the read snapshot taken before the sweep, so the page sees it


def _page(request: Request, session: Session, staff: StaffUser, centre: Centre, *,
          block: str, notice: str = "", is_error: bool = False, values: dict | None = None,
          advice: str | None = None, status_code: int = 200):
    now = utcnow()
    day = desk_day(session, centre, now)
    current = next((d.load.slot.id for d in day.slots if d.load.slot.ends_at > now),
                   day.slots[-1].load.slot.id if day.slots else None)
    return render(request, "pages/today.html", {
        "staff": staff, "centre": centre, "day": day, "now": now, "notice": notice,
        "is_error": is_error, "advice": advice, "values": values or {"slot_id": current},
        "age_bands": list(AgeBand), "genders": GENDER_LABELS,
    }, status_code=status_code, block_name=block)


@router.get("", name="today")
def today(request: Request, slug: str, session: SessionDep, staff: CurrentStaff):
    centre = require_centre(session, staff, slug)
    _release_no_shows(request, session, centre)
    return _page(request, session, staff, centre, block="board")


def refused(request: Request, session: Session, staff: StaffUser, centre: Centre,
            error: DomainError, values: dict | None = None):
    """Roll back and show why in the result block (shared by the desk's routers)."""
    session.rollback()
    return _page(request, session, staff, centre, block="result", notice=error.message,
                 is_error=True, values=values, status_code=error.status)


def done(request: Request, session: Session, staff: StaffUser, centre: Centre,
         notice: str, values: dict | None = None, advice: str | None = None):
    """Show the result and tell the other desks' boards to reload."""
    response = _page(request, session, staff, centre, block="result", notice=notice,
                     values=values, advice=advice)
    response.headers["HX-Trigger"] = DESK_CHANGED
    return response


@router.post("/checkins", name="desk_check_in")
def post_check_in(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                  token: FormText = "", code: FormText = ""):
    """Check a ticket in: a token read from the QR code, or the code typed at the desk."""
    centre = require_centre(session, staff, slug)
    try:
        result = check_in(session, staff, utcnow(), token=token or None, code=code,
                          centre_id=centre.id)
    except DomainError as error:
        return refused(request, session, staff, centre, error)
    session.commit()
    return done(request, session, staff, centre, check_in_message(result))


@router.post("/walk-ins", name="desk_walk_in")
def post_walk_in(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                 slot_id: FormId, age_band: FormText = "",
                 gender: FormText = ""):
    """Count a walk-in in one of today's slots (age band and gender are optional)."""
    centre = require_centre(session, staff, slug)
    values = {"slot_id": slot_id, "age_band": age_band, "gender": gender}
    try:
        desk = add_walk_in(session, staff, slot_id, utcnow(), age_band=age_band,
                           gender=gender, centre_id=centre.id)
    except DomainError as error:
        return refused(request, session, staff, centre, error, values)
    session.commit()
    notice = _("Walk-in added to the {time} session. Seats left for walk-ins: {n}.").format(
        time=local_time(desk.load.slot.starts_at, centre.timezone), n=desk.free_for_walk_ins)
    return done(request, session, staff, centre, notice, {"slot_id": slot_id})
