"""The visitor's journey: book a seat, see the ticket, add it to a calendar, cancel, change."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select

from vr_booking.i18n import _, current_language
from vr_booking.models import BookingJob, Centre, Job, Sector, VRSession, utcnow
from vr_booking.services.booking import (
    BookingInput,
    cancel_booking,
    change_booking,
    create_booking,
    get_booking,
)
from vr_booking.services.booking_mail import booking_ics, ticket_url
from vr_booking.services.capacity import slot_load
from vr_booking.services.errors import DomainError, InvalidInput, NotFound
from vr_booking.services.qr import qr_png, qr_svg
from vr_booking.services.slots import upcoming_open_access
from vr_booking.web.deps import SessionDep
from vr_booking.web.params import FormId, PathId, ids_from
from vr_booking.web.ratelimit import limit_bookings
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
BROWSER_COOKIE = "vrb_browser"
ONE_YEAR = 365 * 24 * 3600


def _jobs_by_sector(session: SessionDep) -> list[tuple[Sector, list[Job]]]:
    sectors = session.exec(select(Sector).where(col(Sector.is_active)).order_by(Sector.name))
    jobs = session.exec(select(Job).where(col(Job.is_active)).order_by(Job.title)).all()
    return [(s, [j for j in jobs if j.sector_id == s.id]) for s in sectors]


def _slot_or_404(session: SessionDep, slot_id: int) -> VRSession:
    slot = session.get(VRSession, slot_id)
    if slot is None or slot.kind != "open_access":
        raise NotFound("unknown_slot", _("This session does not exist."))
    return slot


def _form_page(request: Request, session: SessionDep, slot_id: int, values: dict,
               errors: dict[str, str], message: str = "", status_code: int = 200) -> Response:
    slot = _slot_or_404(session, slot_id)
    response = render(request, "pages/book.html", {
        "load": slot_load(session, slot), "centre": session.get(Centre, slot.centre_id),
        "sectors": _jobs_by_sector(session), "values": values, "errors": errors,
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
        result = create_booking(session, data, utcnow(), request.cookies.get(BROWSER_COOKIE))
    except InvalidInput as error:
        session.rollback()
        return _form_page(request, session, slot_id, values, error.fields, status_code=422)
    except DomainError as error:
        session.rollback()
        if error.status == 404:
            raise
        return _form_page(request, session, slot_id, values, {}, error.message,
                          status_code=error.status)
    session.commit()
    return RedirectResponse(request.url_for("ticket", token=result.booking.token),
                            status_code=303)


@router.get("/b/{token}", name="ticket")
def ticket(request: Request, token: str, session: SessionDep, done: str = ""):
    found = get_booking(session, token)
    jobs = session.exec(select(Job).join(BookingJob, col(BookingJob.job_id) == Job.id)
                        .where(BookingJob.booking_id == found.booking.id)).all()
    return render(request, "pages/ticket.html", {
        "booking": found.booking, "slot": found.slot, "centre": found.centre, "jobs": jobs,
        "done": done, "now": utcnow(), "ticket_url": ticket_url(session, found.booking),
    })


@router.get("/b/{token}/qr.png", name="ticket_qr_png")
def ticket_qr_png(token: str, session: SessionDep) -> Response:
    found = get_booking(session, token)
    return Response(qr_png(ticket_url(session, found.booking)), media_type="image/png")


@router.get("/b/{token}/qr.svg", name="ticket_qr_svg")
def ticket_qr_svg(token: str, session: SessionDep) -> Response:
    found = get_booking(session, token)
    return Response(qr_svg(ticket_url(session, found.booking)), media_type="image/svg+xml")


@router.get("/b/{token}/ticket.ics", name="ticket_ics")
def ticket_calendar(token: str, session: SessionDep) -> Response:
    found = get_booking(session, token)
    return Response(booking_ics(session, found.booking), media_type="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="ticket.ics"'})


@router.post("/b/{token}/cancel", name="ticket_cancel")
def cancel(request: Request, token: str, session: SessionDep):
    cancel_booking(session, token, utcnow())
    session.commit()
    return RedirectResponse(request.url_for("ticket", token=token).include_query_params(
        done="cancelled"), status_code=303)


@router.get("/b/{token}/change", name="ticket_change")
def change_form(request: Request, token: str, session: SessionDep):
    return _change_page(request, session, token)


def _change_page(request: Request, session: SessionDep, token: str, error: str = "",
                 status_code: int = 200) -> Response:
    found = get_booking(session, token)
    days = upcoming_open_access(session, utcnow(), centre_ids=[found.centre.id])
    return render(request, "pages/change.html", {
        "booking": found.booking, "slot": found.slot, "centre": found.centre, "days": days,
        "error": error}, status_code=status_code)


@router.post("/b/{token}/change")
def change(request: Request, token: str, session: SessionDep,
           slot_id: FormId):
    try:
        change_booking(session, token, slot_id, utcnow())
    except DomainError as error:
        session.rollback()
        if error.status == 404:
            raise
        return _change_page(request, session, token, error.message, error.status)
    session.commit()
    return RedirectResponse(request.url_for("ticket", token=token).include_query_params(
        done="changed"), status_code=303)
