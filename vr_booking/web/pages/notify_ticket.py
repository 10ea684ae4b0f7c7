"""The ticket's own actions added by notifications and privacy: "I can no longer come"
(one click from the e-mails), taking a seat offer, erasing the booking's personal data
(after a confirmation step) and downloading what is stored about it."""

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse

from vr_booking.models import utcnow
from vr_booking.services.notify.offers import accept_offer
from vr_booking.services.notify.privacy import booking_data, erase_booking
from vr_booking.services.open_access.booking import cancel_booking, get_booking
from vr_booking.services.open_access.tickets import DECLINE_PATH, TICKET_PATH
from vr_booking.web.deps import SessionDep
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)


def _back_to_ticket(request: Request, token: str, done: str) -> RedirectResponse:
    return RedirectResponse(request.url_for("ticket", token=token).include_query_params(
        done=done), status_code=303)


@router.get(DECLINE_PATH, name="ticket_decline")
def decline_form(request: Request, token: str, session: SessionDep):
    """The page an e-mail's "I can no longer come" link opens: one button. (A link never
    cancels by itself: mail scanners open links.)"""
    found = get_booking(session, token)
    return render(request, "pages/ticket_decline.html", {
        "booking": found.booking, "slot": found.slot, "centre": found.centre,
        "now": utcnow()})


@router.post(DECLINE_PATH)
def decline(request: Request, token: str, session: SessionDep):
    """Give up the seat, the offer or the waiting-list place; it goes to the next person."""
    cancel_booking(session, token, utcnow())
    return _back_to_ticket(request, token, "cancelled")


@router.post(TICKET_PATH + "/accept", name="ticket_accept")
def accept(request: Request, token: str, session: SessionDep):
    accept_offer(session, token, utcnow())
    return _back_to_ticket(request, token, "accepted")


@router.get(TICKET_PATH + "/erase", name="ticket_erase")
def erase_form(request: Request, token: str, session: SessionDep):
    found = get_booking(session, token)
    return render(request, "pages/ticket_erase.html", {
        "booking": found.booking, "slot": found.slot, "centre": found.centre})


@router.post(TICKET_PATH + "/erase")
def erase(request: Request, token: str, session: SessionDep):
    erase_booking(session, token, utcnow())
    return _back_to_ticket(request, token, "erased")


@router.get(TICKET_PATH + "/data.json", name="ticket_data")
def download_data(token: str, session: SessionDep) -> JSONResponse:
    data = booking_data(session, token)
    return JSONResponse(data.model_dump(mode="json"), headers={
        "Content-Disposition": 'attachment; filename="my-vr-booking.json"',
        "Cache-Control": "no-store"})
