"""The visitor's journey: book a seat, see the ticket, add it to a calendar, cancel, change."""

import secrets
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from vr_booking.i18n import current_language
from vr_booking.models import BookingStatus, Centre, utcnow
from vr_booking.services.calendar import booking_ics
from vr_booking.services.catalogue.queries import public_jobs_by_sector
from vr_booking.services.errors import DomainError, InvalidInput, NotFound
from vr_booking.services.open_access.booking import (
    BookingInput,
    booked_jobs,
    can_change,
    cancel_booking,
    change_booking,
    create_booking,
    get_booking,
)
from vr_booking.services.open_access.capacity import slot_load
from vr_booking.services.open_access.slots import get_slot, upcoming_open_access
from vr_booking.services.open_access.tickets import TICKET_PATH, ticket_url
from vr_booking.services.qr import qr_png, qr_svg
from vr_booking.services.reports.survey import ticket_survey_state
from vr_booking.web.deps import SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.params import FormId, PathId, ids_from
from vr_booking.web.ratelimit import client_address, limit_bookings
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
BROWSER_COOKIE = "vrb_browser"
ONE_YEAR = 365 * 24 * 3600


def _form_page(request: Request, session: SessionDep, slot_id: int, values: dict,
               errors: dict[str, str], message: str = "", status_code: int = 200) -> Response:
    slot = get_slot(session, slot_id)
    response = render(request, "pages/book.html", {
        "load": slot_load(session, slot), "centre": session.get(Centre, slot.centre_id),
        "sectors": public_jobs_by_sector(session), "values": values, "errors": errors,
        "message": message, "now": utcnow(),
    }, status_code=status_code)
    if BROWSER_COOKIE not in request.cookies:
        response.set_cookie(BROWSER_COOKIE, secrets.token_urlsafe(16), max_age=ONE_YEAR,
                            httponly=True, samesite="lax")
    return response


@router.get("/book/{slot_id}", name="book_form")
def book_form(request: Request, slot_id: PathId, session: SessionDep):
    return _form_page(request, session, slot_id, {"job_ids": []}, {})


@router.post("/book/{slot_id}", dependencies=[Depends(limit_bookings)])
def book(
    request: Request, slot_id: PathId, session: SessionDep,
    name: Annotated[str, Form(max_length=500)] = "",
    email: Annotated[str, Form(max_length=500)] = "",
    age_confirmed: Annotated[bool, Form()] = False,
    health_ack: Annotated[bool, Form()] = False,
    job_ids: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006
):
    chosen = ids_from(job_ids)
    values = {"name": name, "email": email, "age_confirmed": age_confirmed,
              "health_ack": health_ack, "job_ids": chosen}
    data = BookingInput(slot_id=slot_id, name=name, email=email or None,
                        age_confirmed=age_confirmed, health_ack=health_ack, job_ids=chosen,
                        language=current_language.get())
    try:
        result = create_booking(session, data, utcnow(), request.cookies.get(BROWSER_COOKIE),
                                client_address(request))
    except NotFound:
        raise
    except InvalidInput as error:
        discard(session)
        return _form_page(request, session, slot_id, values, error.fields, status_code=422)
    except DomainError as error:
        discard(session)
        return _form_page(request, session, slot_id, values, {}, error.message,
                          status_code=status_of(error))
    return RedirectResponse(request.url_for("ticket", token=result.booking.token),
                            status_code=303)


@router.get(TICKET_PATH, name="ticket")
def ticket(request: Request, token: str, session: SessionDep, done: str = ""):
    found = get_booking(session, token)
    jobs = booked_jobs(session, found.booking)
    return render(request, "pages/ticket.html", {
        "booking": found.booking, "slot": found.slot, "centre": found.centre, "jobs": jobs,
        "done": done, "now": utcnow(), "ticket_url": ticket_url(session, found.booking),
        "survey": ticket_survey_state(session, found.booking, found.slot, utcnow()),
        "is_cancelled": found.booking.status == BookingStatus.cancelled,
    })


@router.get(TICKET_PATH + "/qr.png", name="ticket_qr_png")
def ticket_qr_png(token: str, session: SessionDep) -> Response:
    found = get_booking(session, token)
    return Response(qr_png(ticket_url(session, found.booking)), media_type="image/png")


@router.get(TICKET_PATH + "/qr.svg", name="ticket_qr_svg")
def ticket_qr_svg(token: str, session: SessionDep) -> Response:
    found = get_booking(session, token)
    return Response(qr_svg(ticket_url(session, found.booking)), media_type="image/svg+xml")


@router.get(TICKET_PATH + "/ticket.ics", name="ticket_ics")
def ticket_calendar(token: str, session: SessionDep) -> Response:
    found = get_booking(session, token)
    return Response(booking_ics(session, found.booking), media_type="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="ticket.ics"'})


@router.get(TICKET_PATH + "/cancel", name="ticket_cancel")
def cancel_form(request: Request, token: str, session: SessionDep):
    """Ask before cancelling (one click or one Enter used to cancel at once)."""
    found = get_booking(session, token)
    if not can_change(found, utcnow()):
        return RedirectResponse(request.url_for("ticket", token=token), status_code=303)
    return render(request, "pages/cancel.html", {
        "booking": found.booking, "slot": found.slot, "centre": found.centre})


@router.post(TICKET_PATH + "/cancel")
def cancel(request: Request, token: str, session: SessionDep):
    cancel_booking(session, token, utcnow())
    return RedirectResponse(request.url_for("ticket", token=token).include_query_params(
        done="cancelled"), status_code=303)


@router.get(TICKET_PATH + "/change", name="ticket_change")
def change_form(request: Request, token: str, session: SessionDep):
    return _change_page(request, session, token)


def _change_page(request: Request, session: SessionDep, token: str, error: str = "",
                 status_code: int = 200) -> Response:
    found = get_booking(session, token)
    now = utcnow()
    allowed = can_change(found, now)
    days = upcoming_open_access(session, now, centre_ids=[found.centre.id]) if allowed else []
    return render(request, "pages/change.html", {
        "booking": found.booking, "slot": found.slot, "centre": found.centre, "days": days,
        "error": error, "can_change": allowed}, status_code=status_code)


@router.post(TICKET_PATH + "/change")
def change(request: Request, token: str, session: SessionDep,
           slot_id: FormId):
    try:
        change_booking(session, token, slot_id, utcnow())
    except NotFound:
        raise
    except DomainError as error:
        discard(session)
        return _change_page(request, session, token, error.message, status_of(error))
    return RedirectResponse(request.url_for("ticket", token=token).include_query_params(
        done="changed"), status_code=303)
