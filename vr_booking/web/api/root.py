"""JSON API ``/api/v1``: lists answer ``{"items": [...], "total": n}``."""


from fastapi import Request
from pydantic import BaseModel
from sqlmodel import col, func, select

from vr_booking import __version__
from vr_booking.models import Centre
from vr_booking.services.access import visible_centre_ids
from vr_booking.web.api.responses import UNAUTHORIZED
from vr_booking.web.deps import ApiStaff, SessionDep
from vr_booking.web.params import Limit, Offset
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1", tags=["api"])


class CentrePublic(BaseModel):
    slug: str
    name: str
    kind: str
    hub: str | None
    timezone: str
    address: str
    postcode: str
    city: str


class CentreList(BaseModel):
    items: list[CentrePublic]
    total: int


class Me(BaseModel):
    email: str
    name: str
    role: str
    centres: list[str]


@router.get("", summary="API root")
def api_root(request: Request) -> dict:
    return {"name": "vr-booking", "version": __version__, "docs": "/docs",
            "openapi": request.app.openapi_url, "centres": "/api/v1/centres"}


@router.get("/centres", response_model=CentreList, summary="List centres")
def list_centres(session: SessionDep, limit: Limit = 100, offset: Offset = 0) -> CentreList:
    """The active centres (a deactivated centre takes no visitors)."""
    total = session.exec(select(func.count()).select_from(Centre)
                         .where(col(Centre.is_active))).one()
    centres = session.exec(select(Centre).where(col(Centre.is_active)).order_by(Centre.name)
                           .offset(offset).limit(limit)).all()
    slugs = dict(session.exec(select(Centre.id, Centre.slug)).all())
    items = [CentrePublic(**c.model_dump(), hub=slugs.get(c.hub_id)) for c in centres]
    return CentreList(items=items, total=total)


@router.get("/me", response_model=Me, summary="The staff account of the bearer token",
            responses=UNAUTHORIZED)
def me(session: SessionDep, staff: ApiStaff) -> Me:
    ids = visible_centre_ids(session, staff)
    slugs = session.exec(select(Centre.slug).where(Centre.id.in_(ids)).order_by(Centre.slug))
    return Me(email=staff.email, name=staff.name, role=staff.role, centres=list(slugs))
