"""JSON API for creating and editing centres (the public list is ``GET /api/v1/centres``)."""

from pydantic import BaseModel, Field
from sqlmodel import Session

from vr_booking.models import Centre, CentreKind, utcnow
from vr_booking.services.admin import centres
from vr_booking.web.deps import ApiStaff, SessionDep
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1/centres", tags=["administration"])
ERRORS = {403: {"description": "Administrators only (a centre's managers edit its details)"},
          404: {"description": "Unknown centre"},
          409: {"description": "Deactivation refused: the centre still has bookings, "
                               "sessions, loans or associated centres (listed in `detail`)"},
          422: {"description": "Invalid input; `fields` says which"}}


class CentreAdmin(BaseModel):
    slug: str
    name: str
    kind: CentreKind
    hub: str | None = Field(description="slug of the hub an associated centre belongs to")
    timezone: str
    address: str
    postcode: str
    city: str
    contact_email: str
    phone: str
    visitor_notes: str = Field(description="opening notes shown to visitors")
    is_active: bool


class CentreCreate(BaseModel):
    slug: str = Field(max_length=40, description="lower-case letters, digits and hyphens; "
                      "it cannot change later")
    name: str = Field(max_length=120)
    kind: CentreKind = CentreKind.associated
    hub: str = Field(default="", max_length=40, description="required for an associated "
                     "centre")
    timezone: str = Field(default="", max_length=64, description="IANA zone; default: "
                          "the hub's")
    address: str = Field(default="", max_length=200)
    postcode: str = Field(default="", max_length=16)
    city: str = Field(default="", max_length=80)
    contact_email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=32)
    visitor_notes: str = Field(default="", max_length=1000)


class CentreUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=120)
    kind: CentreKind | None = None
    hub: str | None = Field(default=None, max_length=40)
    timezone: str | None = Field(default=None, max_length=64)
    address: str | None = Field(default=None, max_length=200)
    postcode: str | None = Field(default=None, max_length=16)
    city: str | None = Field(default=None, max_length=80)
    contact_email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    visitor_notes: str | None = Field(default=None, max_length=1000)
    is_active: bool | None = Field(default=None, description="false deactivates (refused "
                                   "while the centre has commitments), true reactivates")


def _admin(session: Session, centre: Centre) -> CentreAdmin:
    values = centres.centre_values(session, centre)
    return CentreAdmin(**{**values, "hub": values["hub"] or None,
                          "is_active": centre.is_active})


@router.post("", response_model=CentreAdmin, status_code=201, responses=ERRORS,
             summary="Create a hub or an associated centre (administrators)")
def create_centre(body: CentreCreate, session: SessionDep, staff: ApiStaff) -> CentreAdmin:
    return _admin(session, centres.create_centre(session, staff, body.model_dump()))


@router.patch("/{slug}", response_model=CentreAdmin, responses=ERRORS,
              summary="Change a centre's details, or (de)activate it")
def update_centre(slug: str, body: CentreUpdate, session: SessionDep,
                  staff: ApiStaff) -> CentreAdmin:
    changes = body.model_dump(exclude_none=True, exclude={"is_active"})
    centre = centres.update_centre(session, staff, slug, changes)
    if body.is_active is False and centre.is_active:
        centre = centres.deactivate_centre(session, staff, slug, utcnow())
    elif body.is_active and not centre.is_active:
        centre = centres.reactivate_centre(session, staff, slug)
    return _admin(session, centre)
