"""The facilitator's Today page: the day's sessions with their people, check-in, walk-ins.

Forms post normally without JavaScript (the whole page comes back); with htmx only the
result block comes back and an ``HX-Trigger`` makes the board reload at once.
"""

from fastapi import Request
from sqlmodel import Session

from vr_booking.i18n import _
from vr_booking.models import AgeBand, Centre, StaffUser, utcnow
from vr_booking.services.access import require_centre
from vr_booking.services.desk.checkin import check_in, check_in_message
from vr_booking.services.desk.day import desk_day
from vr_booking.services.desk.walk_ins import GENDER_LABELS, add_walk_in
from vr_booking.services.errors import DomainError
from vr_booking.web.deps import CurrentStaff, SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.params import FormId, FormText
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import local_time, render

router = APIRouter(prefix="/staff/centres/{slug}/today", include_in_schema=False)
DESK_CHANGED = "desk-changed"  # the htmx event that reloads the board


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
    return _page(request, session, staff, centre, block="board")


def refused(request: Request, session: Session, staff: StaffUser, centre: Centre,
            error: DomainError, values: dict | None = None):
    """Undo the refused action and show why in the result block (shared by the desk's
    routers)."""
    discard(session)
    return _page(request, session, staff, centre, block="result", notice=error.message,
                 is_error=True, values=values, status_code=status_of(error))


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
    return done(request, session, staff, centre, check_in_message(result))


@router.post("/walk-ins", name="desk_walk_in")
def post_walk_in(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                 slot_id: FormId, age_band: FormText = "", gender: FormText = ""):
    """Count a walk-in in one of today's slots (age band and gender are optional)."""
    centre = require_centre(session, staff, slug)
    values = {"slot_id": slot_id, "age_band": age_band, "gender": gender}
    try:
        desk = add_walk_in(session, staff, slot_id, utcnow(), age_band=age_band,
                           gender=gender, centre_id=centre.id)
    except DomainError as error:
        return refused(request, session, staff, centre, error, values)
    notice = _("Walk-in added to the {time} session. Seats left for walk-ins: {n}.").format(
        time=local_time(desk.load.slot.starts_at, centre.timezone), n=desk.free_for_walk_ins)
    return done(request, session, staff, centre, notice, {"slot_id": slot_id})
