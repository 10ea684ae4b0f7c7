"""The facilitator's Today page: the day's sessions with their people, check-in, walk-ins.

Every desk action answers next to what it changed: a flash (:class:`Flash`) rendered in the
changed row, keyed like the row (``b12``/``p5`` for people, ``headset-MRS-VR-01``,
``checkin``, ``board`` when there is no row). With htmx the answer is the board fragment,
which ``static/js/live.js`` merges row by row and then focuses the message; without
JavaScript it is the whole page, and the form's action ends with ``#msg-<key>`` so that the
browser lands on the message.
"""

import re
from dataclasses import dataclass

from fastapi import Request
from sqlmodel import Session

from vr_booking.i18n import _
from vr_booking.models import AgeBand, Centre, StaffUser, utcnow
from vr_booking.services.access import require_centre
from vr_booking.services.desk.checkin import check_in, check_in_message
from vr_booking.services.desk.day import desk_day
from vr_booking.services.desk.people import holder_key
from vr_booking.services.desk.walk_ins import GENDER_LABELS, add_walk_in
from vr_booking.services.errors import DomainError
from vr_booking.web.deps import CurrentStaff, SessionDep, discard, read_on
from vr_booking.web.errors import status_of
from vr_booking.web.params import FormId, FormText
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import local_time, render

router = APIRouter(prefix="/staff/centres/{slug}/today", include_in_schema=False)
KEY_RE = re.compile(r"^[A-Za-z0-9-]{1,60}$")


@dataclass(frozen=True)
class Flash:
    """The answer to a desk action, shown where ``keys`` say (the first one gets the focus;
    ``at_field``: focus the check-in field instead, for a refused code)."""

    text: str
    keys: tuple[str, ...] = ("board",)
    is_error: bool = False
    advice: str | None = None
    at_field: bool = False


def where(*keys: str) -> tuple[str, ...]:
    """The flash keys, valid and without repeats (``at`` comes from the posting form)."""
    return tuple(dict.fromkeys(k for k in keys if k and KEY_RE.match(k))) or ("board",)


def _page(request: Request, session: Session, staff: StaffUser, centre: Centre, *,
          flash: Flash | None = None, values: dict | None = None, status_code: int = 200):
    now = utcnow()
    day = desk_day(session, centre, now)
    current = next((d.load.slot.id for d in day.slots if d.load.slot.ends_at > now),
                   day.slots[-1].load.slot.id if day.slots else None)
    return render(request, "pages/today.html", {
        "staff": staff, "centre": centre, "day": day, "now": now, "flash": flash,
        "current_slot_id": current, "values": values or {},
        "age_bands": list(AgeBand), "genders": GENDER_LABELS,
    }, status_code=status_code, block_name="board")


@router.get("", name="today")
def today(request: Request, slug: str, session: SessionDep, staff: CurrentStaff):
    centre = require_centre(session, staff, slug)
    return _page(request, session, staff, centre)


def refused(request: Request, session: Session, staff: StaffUser, centre: Centre,
            error: DomainError, values: dict | None = None, keys: tuple[str, ...] = ("board",),
            at_field: bool = False):
    """Undo the refused action and say why next to it (shared by the desk's routers)."""
    discard(session)
    flash = Flash(error.message, keys, is_error=True, at_field=at_field)
    return _page(request, session, staff, centre, flash=flash, values=values,
                 status_code=status_of(error))


def done(request: Request, session: Session, staff: StaffUser, centre: Centre,
         notice: str, values: dict | None = None, advice: str | None = None,
         keys: tuple[str, ...] = ("board",)):
    """Say what the action did, next to the row it changed (shared by the desk's routers);
    the action is committed before the board is read again."""
    read_on(session)
    return _page(request, session, staff, centre, flash=Flash(notice, keys, advice=advice),
                 values=values)


@router.post("/checkins", name="desk_check_in")
def post_check_in(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                  token: FormText = "", code: FormText = "", at: FormText = "checkin"):
    """Check a ticket in: a token read from the QR code, or the code typed at the desk (or
    a row's button, ``at`` its key)."""
    centre = require_centre(session, staff, slug)
    try:
        result = check_in(session, staff, utcnow(), token=token or None, code=code,
                          centre_id=centre.id)
    except DomainError as error:
        return refused(request, session, staff, centre, error, {"code": code}, where(at),
                       at_field=at == "checkin")
    return done(request, session, staff, centre, check_in_message(result),
                keys=where(holder_key(result.booking.id, None), at))


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
        return refused(request, session, staff, centre, error, values,
                       where(f"walk-in-{slot_id}"))
    notice = _("Walk-in added to the {time} session. Seats left for walk-ins: {n}.").format(
        time=local_time(desk.load.slot.starts_at, centre.timezone), n=desk.free_for_walk_ins)
    return done(request, session, staff, centre, notice,
                keys=where(holder_key(None, desk.added_walk_in_id), f"walk-in-{slot_id}"))
