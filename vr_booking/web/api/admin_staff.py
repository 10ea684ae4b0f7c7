"""JSON API for staff accounts (managers and administrators; the same services as the pages)."""

from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from vr_booking.models import Role, utcnow
from vr_booking.services.admin import staff as accounts
from vr_booking.web.deps import ApiStaff, SessionDep
from vr_booking.web.params import Limit, Offset, PathId
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1/staff", tags=["administration"])
ERRORS = {403: {"description": "You do not manage this account, or may not give this role"},
          404: {"description": "Unknown account or centre"},
          409: {"description": "The account is already in that state"},
          422: {"description": "Invalid input; `fields` says which"}}
Slugs = Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=100)]


class StaffPublic(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    centres: list[str] = Field(description="slugs of the centres the person works for")
    can_edit_catalogue: bool = Field(description="may edit the network-wide catalogue "
                                                 "(administrators always may)")
    is_active: bool
    has_password: bool = Field(description="false until the invitation link is used")
    created_at: datetime
    last_login_at: datetime | None


class StaffList(BaseModel):
    items: list[StaffPublic]
    total: int


class StaffCreate(BaseModel):
    email: str = Field(max_length=254)
    name: str = Field(max_length=120)
    role: Role
    centres: Slugs = Field(default_factory=list)
    can_edit_catalogue: bool = Field(default=False, description="given by administrators only")


class StaffUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=120)
    role: Role | None = None
    centres: Slugs | None = None
    can_edit_catalogue: bool | None = Field(default=None,
                                            description="given or withdrawn by administrators")
    is_active: bool | None = Field(default=None, description="false deactivates (as "
                                   "`/deactivate`), true reactivates")


def _public(row: accounts.StaffRow) -> StaffPublic:
    user = row.user
    return StaffPublic(id=user.id, email=user.email, name=user.name, role=user.role,
                       centres=[c.slug for c in row.centres],
                       can_edit_catalogue=user.can_edit_catalogue, is_active=user.is_active,
                       has_password=bool(user.password_hash), created_at=user.created_at,
                       last_login_at=user.last_login_at)


def _reread(session: Session, staff: ApiStaff, staff_id: int) -> StaffPublic:
    return _public(accounts.get_staff(session, staff, staff_id))


@router.get("", response_model=StaffList, summary="List staff accounts", responses=ERRORS)
def list_staff(session: SessionDep, staff: ApiStaff, limit: Limit = 100, offset: Offset = 0,
               centre: Annotated[str, Query(max_length=40, description="a centre's slug")] = "",
               role: Role | None = None, active: bool | None = None) -> StaffList:
    """Administrators see everyone; managers the staff of the centres they manage."""
    rows, total = accounts.list_staff(
        session, staff, accounts.StaffFilter(centre=centre, role=role or "", active=active),
        limit=limit, offset=offset)
    return StaffList(items=[_public(r) for r in rows], total=total)


@router.post("", response_model=StaffPublic, status_code=201, responses=ERRORS,
             summary="Create an account; its holder is e-mailed a link to set a password")
def create_staff(body: StaffCreate, session: SessionDep, staff: ApiStaff) -> StaffPublic:
    user = accounts.create_staff_member(session, staff, email=body.email, name=body.name,
                                        role=body.role, centre_slugs=body.centres, now=utcnow(),
                                        can_edit_catalogue=body.can_edit_catalogue)
    return _reread(session, staff, user.id)


@router.patch("/{id}", response_model=StaffPublic, responses=ERRORS,
              summary="Change an account's name, role, centres or active state")
def update_staff(id: PathId, body: StaffUpdate, session: SessionDep,
                 staff: ApiStaff) -> StaffPublic:
    accounts.update_staff(session, staff, id, name=body.name, role=body.role,
                          centre_slugs=body.centres, can_edit_catalogue=body.can_edit_catalogue)
    current = accounts.get_staff(session, staff, id).user
    if body.is_active is False and current.is_active:
        accounts.deactivate_staff(session, staff, id, utcnow())
    elif body.is_active and not current.is_active:
        accounts.reactivate_staff(session, staff, id)
    return _reread(session, staff, id)


@router.post("/{id}/deactivate", response_model=StaffPublic, responses=ERRORS,
             summary="Deactivate an account: its sessions and API tokens stop at once")
def deactivate_staff(id: PathId, session: SessionDep, staff: ApiStaff) -> StaffPublic:
    accounts.deactivate_staff(session, staff, id, utcnow())
    return _reread(session, staff, id)
