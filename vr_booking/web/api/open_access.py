"""JSON API for open-access slots and bookings (the same services as the pages)."""

from datetime import datetime, time, timedelta
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import select

from vr_booking.i18n import _
from vr_booking.models import Centre, utcnow
from vr_booking.services.errors import InvalidInput, NotFound
from vr_booking.services.open_access.booking import (
    BookingInput,
    BookingResult,
    cancel_booking,
    create_booking,
    get_booking,
)
from vr_booking.services.open_access.capacity import slot_loads, upcoming_slots
from vr_booking.services.open_access.tickets import ticket_url
from vr_booking.services.timeutil import local_to_utc
from vr_booking.web.api.responses import RATE_LIMITED, UNKNOWN_BOOKING
from vr_booking.web.deps import SessionDep
from vr_booking.web.params import BodyId, SaneDate
from vr_booking.web.ratelimit import client_address, limit_bookings
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1", tags=["bookings"])


class SlotPublic(BaseModel):
    id: int
    centre: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    confirmed: int
    remaining: int
    waitlisted: int


class SlotList(BaseModel):
    items: list[SlotPublic]
    total: int


class BookingCreate(BaseModel):
    slot_id: BodyId
    name: str = Field(max_length=500, description="first name or nickname")
    email: str | None = Field(default=None, max_length=500)
    age_confirmed: bool = Field(description="the visitor is 13 or older")
    health_ack: bool = Field(description="the visitor read the health warning")
    job_ids: list[BodyId] = Field(default_factory=list, max_length=20)
    language: str = Field(default="fr", pattern="^(fr|en)$")


class BookingPublic(BaseModel):
    token: str
    status: str
    short_code: str
    slot_id: int
    centre: str
    starts_at: datetime
    ends_at: datetime
    name: str
    ticket_url: str
    qr_png_url: str
    qr_svg_url: str
    ics_url: str


def _public(session: SessionDep, found: BookingResult) -> BookingPublic:
    url = ticket_url(session, found.booking)
    return BookingPublic(
        token=found.booking.token, status=found.booking.status,
        short_code=found.booking.short_code, slot_id=found.slot.id, centre=found.centre.slug,
        starts_at=found.slot.starts_at, ends_at=found.slot.ends_at, name=found.booking.name,
        ticket_url=url, qr_png_url=f"{url}/qr.png", qr_svg_url=f"{url}/qr.svg",
        ics_url=f"{url}/ticket.ics",
    )


@router.get("/slots", response_model=SlotList, summary="Open-access slots with their seats",
            responses={422: {"description": "Unknown centre (`code`: `unknown_centre`), or "
                                            "a date outside the years 2000–2100"}})
def list_slots(
    session: SessionDep,
    centre: Annotated[str, Query(description="centre slug")],
    from_: Annotated[SaneDate | None, Query(alias="from", description="first local date, "
                                            "YYYY-MM-DD (years 2000–2100)")] = None,
    to: Annotated[SaneDate | None, Query(description="last local date, inclusive")] = None,
) -> SlotList:
    found = session.exec(select(Centre).where(Centre.slug == centre)).first()
    if found is None:
        raise InvalidInput("unknown_centre", _("No centre {slug!r}.").format(slug=centre))
    start = max(utcnow(), local_to_utc(from_, time(0), found.timezone)) if from_ else utcnow()
    end = local_to_utc(to + timedelta(days=1), time(0), found.timezone) if to else None
    loads = slot_loads(session, upcoming_slots(session, [found.id], start, end))
    items = [SlotPublic(id=x.slot.id, centre=found.slug, starts_at=x.slot.starts_at,
                        ends_at=x.slot.ends_at, capacity=x.capacity, confirmed=x.confirmed,
                        remaining=x.remaining, waitlisted=x.waitlisted) for x in loads]
    return SlotList(items=items, total=len(items))


@router.post("/bookings", status_code=201, response_model=BookingPublic,
             dependencies=[Depends(limit_bookings)],
             responses={409: {"description": "Neither a seat nor the waiting list "
                                             "(`slot_full`), a seat already held "
                                             "(`already_booked`), too many upcoming bookings "
                                             "for this person (`too_many_bookings`) or from "
                                             "this address (`too_many_from_address`), or a "
                                             "session no longer open (`slot_closed`)"},
                        422: {"description": "Field errors (`fields`), including an unknown "
                                             "`slot_id`"},
                        **RATE_LIMITED},
             summary="Book a seat (or a waiting-list place)")
def post_booking(request: Request, session: SessionDep, body: BookingCreate) -> BookingPublic:
    try:
        found = create_booking(session, BookingInput(**body.model_dump()), utcnow(),
                               address=client_address(request))
    except NotFound as error:
        raise InvalidInput(error.code, error.message, {"slot_id": error.message}) from error
    return _public(session, found)


@router.get("/bookings/{token}", response_model=BookingPublic, summary="A booking",
            responses=UNKNOWN_BOOKING)
def read_booking(session: SessionDep, token: str) -> BookingPublic:
    return _public(session, get_booking(session, token))


@router.post("/bookings/{token}/cancel", response_model=BookingPublic,
             summary="Cancel a booking (idempotent)",
             responses={**UNKNOWN_BOOKING, 409: {"description": "Too late to cancel online "
                                                                "(`too_late`)"}})
def post_cancel(session: SessionDep, token: str) -> BookingPublic:
    found = cancel_booking(session, token, utcnow())
    return _public(session, found)
