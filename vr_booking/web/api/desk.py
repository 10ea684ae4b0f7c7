"""JSON API for the desk (staff bearer token): check tickets in, count walk-ins."""

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

from vr_booking.models import AgeBand, BookingStatus, Gender, utcnow
from vr_booking.services.access import require_centre
from vr_booking.services.desk.checkin import check_in, check_in_message
from vr_booking.services.desk.walk_ins import add_walk_in
from vr_booking.web.api.responses import UNAUTHORIZED
from vr_booking.web.deps import ApiStaff, SessionDep
from vr_booking.web.params import BodyId
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1", tags=["desk"], responses=UNAUTHORIZED)
REFUSALS = {
    403: {"description": "The ticket or session belongs to a centre you do not work for"},
    404: {"description": "Unknown ticket or session (`code`: `unknown_ticket`, `unknown_slot`)"},
    409: {"description": "Refused, with the reason in `detail` and a stable `code`: "
                         "`wrong_day`, `wrong_centre`, `cancelled`, `waitlisted`, "
                         "`seat_released`, `no_free_seat`, `slot_closed`"},
}


class CheckInCreate(BaseModel):
    token: str | None = Field(default=None, max_length=200,
                              description="the token of the ticket's QR code (or its URL)")
    code: str | None = Field(default=None, max_length=200,
                             description="the short code printed on the ticket, ABCD-EFGH; "
                                         "any case, dash and spaces optional")
    centre: str | None = Field(default=None, description="slug of the desk's centre: a "
                               "ticket for another centre is refused (409)")

    @model_validator(mode="after")
    def _one_of_token_or_code(self) -> "CheckInCreate":
        if bool(self.token) == bool(self.code):
            raise ValueError("give either token or code")
        return self


class CheckInPublic(BaseModel):
    already: bool = Field(description="true when the ticket was checked in before: nothing "
                                      "changed")
    status: BookingStatus
    name: str
    short_code: str
    centre: str
    slot_id: int
    starts_at: datetime
    ends_at: datetime
    checked_in_at: datetime
    message: str = Field(description="what to show at the desk")


class WalkInCreate(BaseModel):
    slot_id: BodyId
    age_band: AgeBand | None = None
    gender: Gender | None = None


class WalkInPublic(BaseModel):
    slot_id: int
    walk_ins: int = Field(description="walk-ins now counted in the slot")
    free_for_walk_ins: int = Field(description="seats still free for walk-ins")


@router.post("/checkins", response_model=CheckInPublic, responses=REFUSALS,
             summary="Check a ticket in (idempotent)")
def post_check_in(session: SessionDep, staff: ApiStaff, body: CheckInCreate) -> CheckInPublic:
    desk_centre = require_centre(session, staff, body.centre) if body.centre else None
    result = check_in(session, staff, utcnow(), token=body.token, code=body.code,
                      centre_id=desk_centre.id if desk_centre else None)
    booking, slot = result.booking, result.slot
    return CheckInPublic(
        already=result.already, status=booking.status, name=booking.name,
        short_code=booking.short_code, centre=result.centre.slug, slot_id=slot.id,
        starts_at=slot.starts_at, ends_at=slot.ends_at, checked_in_at=booking.checked_in_at,
        message=check_in_message(result),
    )


@router.post("/walk-ins", status_code=201, response_model=WalkInPublic, responses=REFUSALS,
             summary="Count a walk-in in one of today's open-access slots")
def post_walk_in(session: SessionDep, staff: ApiStaff, body: WalkInCreate) -> WalkInPublic:
    desk = add_walk_in(session, staff, body.slot_id, utcnow(), age_band=body.age_band or "",
                       gender=body.gender or "")
    return WalkInPublic(slot_id=body.slot_id, walk_ins=desk.walk_ins,
                        free_for_walk_ins=desk.free_for_walk_ins)
