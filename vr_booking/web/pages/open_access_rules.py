"""Managers' open-access pages: weekly rules, their slots, closures (facilitators read)."""

from fastapi import Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import select

from vr_booking.i18n import _
from vr_booking.models import Centre, OpenAccessRule, utcnow
from vr_booking.services.access import can_manage, require_centre, require_managed_centre
from vr_booking.services.errors import DomainError, InvalidInput, NotFound
from vr_booking.services.open_access.capacity import slot_loads, upcoming_slots
from vr_booking.services.open_access.rules import (
    RuleChange,
    RuleInput,
    add_closure,
    remove_closure,
    save_rule,
    upcoming_closures,
)
from vr_booking.services.timeutil import to_local
from vr_booking.web.deps import CurrentStaff, SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.params import FormText, PathId, parse_date, parse_id
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(prefix="/staff/centres/{slug}/open-access", include_in_schema=False)
SLOTS_SHOWN = 60


def _page(request: Request, session: SessionDep, staff: CurrentStaff, centre: Centre, *,
          errors: dict[str, str] | None = None, values: dict | None = None,
          change: RuleChange | None = None, message: str = "", status_code: int = 200):
    now = utcnow()
    rules = session.exec(select(OpenAccessRule).where(OpenAccessRule.centre_id == centre.id)
                         .order_by(OpenAccessRule.weekday, OpenAccessRule.start_time)).all()
    loads = slot_loads(session, upcoming_slots(session, [centre.id], now)[:SLOTS_SHOWN])
    return render(request, "pages/open_access.html", {
        "staff": staff, "centre": centre, "rules": rules, "loads": loads,
        "closures": upcoming_closures(session, centre, to_local(now, centre.timezone).date()),
        "can_manage": can_manage(session, staff, centre.id), "errors": errors or {},
        "values": values or {}, "change": change, "message": message,
    }, status_code=status_code)


@router.get("", name="open_access")
def open_access_page(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                     done: str = ""):
    centre = require_centre(session, staff, slug)
    messages = {"closed": _("The day is closed; the people booked were told."),
                "reopened": _("The day is open again.")}
    return _page(request, session, staff, centre, message=messages.get(done, ""))


def _rule_input(form: dict[str, str]) -> RuleInput:
    """Parse the rule form; every unparseable field gets its own message."""
    try:
        return RuleInput(
            weekday=form.get("weekday", ""), start_time=form.get("start_time", ""),
            end_time=form.get("end_time", ""), seat_minutes=form.get("seat_minutes", ""),
            buffer_minutes=form.get("buffer_minutes", ""),
            horizon_weeks=form.get("horizon_weeks", ""),
            walk_in_reserve=form.get("walk_in_reserve", ""),
            is_active=form.get("is_active") == "true",
        )
    except ValidationError as error:
        fields = {str(e["loc"][0]): _("Please give a valid value.") for e in error.errors()}
        raise InvalidInput("invalid_rule", _("Please correct the marked fields."),
                           fields) from error


def _rule_id(form: dict[str, str]) -> int | None:
    """The edited rule's id (None for a new rule); an unreadable one names no rule."""
    text = form.get("rule_id", "").strip()
    if not text:
        return None
    try:
        return parse_id(text)
    except ValueError:
        raise NotFound("unknown_rule", _("This rule does not exist.")) from None


@router.post("/rules", name="save_rule")
async def save_rule_form(request: Request, slug: str, session: SessionDep,
                         staff: CurrentStaff):
    centre = require_managed_centre(session, staff, slug)
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        change = save_rule(session, centre, _rule_id(form), _rule_input(form), utcnow(), staff)
    except InvalidInput as error:
        discard(session)
        return _page(request, session, staff, centre, errors=error.fields, values=form,
                     status_code=422)
    return _page(request, session, staff, centre, change=change)


@router.post("/closures", name="add_closure")
def add_closure_form(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                     closed_date: FormText = "", reason: FormText = ""):
    centre = require_managed_centre(session, staff, slug)
    try:
        day = parse_date(closed_date)
        add_closure(session, centre, day, reason, staff, utcnow())
    except ValueError:
        return _page(request, session, staff, centre, status_code=422,
                     errors={"closed_date": _("Please give a date.")},
                     values={"closed_date": closed_date, "reason": reason})
    except DomainError as error:
        discard(session)
        return _page(request, session, staff, centre, status_code=status_of(error),
                     errors={"closed_date": error.message},
                     values={"closed_date": closed_date, "reason": reason})
    return RedirectResponse(request.url_for("open_access", slug=slug).include_query_params(
        done="closed"), status_code=303)


@router.post("/closures/{closure_id}/delete", name="remove_closure")
def remove_closure_form(request: Request, slug: str, closure_id: PathId, session: SessionDep,
                        staff: CurrentStaff):
    centre = require_managed_centre(session, staff, slug)
    remove_closure(session, centre, closure_id, utcnow(), staff)
    return RedirectResponse(request.url_for("open_access", slug=slug).include_query_params(
        done="reopened"), status_code=303)

