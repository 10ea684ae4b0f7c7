"""JSON API for the headset fleet (staff bearer token); the same services as the pages."""

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query, Request
from pydantic import BaseModel, Field

from vr_booking.i18n import _
from vr_booking.models import FaceCover, ServiceState, utcnow
from vr_booking.services.errors import InvalidInput
from vr_booking.services.fleet import access, detail, inventory
from vr_booking.services.fleet.charge import Battery
from vr_booking.services.loans.network import where_headsets_are
from vr_booking.web.api.responses import UNAUTHORIZED
from vr_booking.web.deps import ApiStaff, SessionDep
from vr_booking.web.params import Limit, Offset
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1", tags=["headsets"], responses=UNAUTHORIZED)


class HeadsetPublic(BaseModel):
    asset_tag: str
    serial: str | None
    model: str
    home_centre: str = Field(description="slug of the centre the headset belongs to")
    current_centre: str = Field(description="slug of the centre it is at today (loans)")
    service_state: ServiceState
    face_cover: FaceCover
    to_clean: bool = Field(description="returned by a user and not cleaned since")
    charge_percent: int | None = Field(description="last recorded battery level")
    estimated_minutes_left: int | None = Field(
        description="recorded level minus the time worn since; null when never recorded")
    installed_video_count: int


class HeadsetList(BaseModel):
    items: list[HeadsetPublic]
    total: int


def _public(row: inventory.HeadsetRow) -> HeadsetPublic:
    headset = row.headset
    return HeadsetPublic(
        asset_tag=headset.asset_tag, serial=headset.serial, model=headset.model,
        home_centre=row.home_centre.slug, current_centre=row.current_centre.slug,
        service_state=headset.service_state, face_cover=headset.face_cover,
        to_clean=row.to_clean, charge_percent=headset.charge_percent,
        estimated_minutes_left=row.charge.minutes_left,
        installed_video_count=row.installed_count,
    )


@router.get("/headsets", response_model=HeadsetList, summary="List the headsets you may see",
            responses={403: {"description": "A centre you do not work for "
                                            "(`not_your_centre`)"},
                       404: {"description": "Unknown centre (`unknown_centre`)"}})
def list_headsets(request: Request, session: SessionDep, staff: ApiStaff,
                  centre: str | None = None, state: ServiceState | None = None,
                  limit: Limit = 100, offset: Offset = 0) -> HeadsetList:
    """Headsets based at or now at your centres; ``centre`` keeps those now at that centre."""
    found = inventory.list_headsets(session, staff, utcnow(),
                                    Battery.from_settings(request.app.state.settings),
                                    centre_slug=centre, state=state, limit=limit, offset=offset)
    return HeadsetList(items=[_public(r) for r in found.rows], total=found.total)


class HeadsetLocation(BaseModel):
    asset_tag: str
    centre: str = Field(description="slug of the centre it is at then")


class HeadsetLocationList(BaseModel):
    items: list[HeadsetLocation]
    total: int


# Declared before /headsets/{asset_tag}, which would otherwise take "locations" for a tag.
@router.get("/headsets/locations", response_model=HeadsetLocationList,
            summary="Where your headsets are at an instant (loans)",
            responses={422: {"description": "at: not an ISO date-time within 2000–2100"}})
def headset_locations(session: SessionDep, staff: ApiStaff,
                      at: Annotated[str | None, Query(
                          max_length=40, examples=["2026-12-09T14:00:00+01:00"],
                          description="ISO 8601 date-time (UTC when it has no offset); "
                                      "default: now")] = None,
                      limit: Limit = 500, offset: Offset = 0) -> HeadsetLocationList:
    """Headsets based at, or lent to, your centres, each with the centre it is at on the
    local date of ``at``."""
    found = where_headsets_are(session, staff, parse_instant(at) if at else utcnow())
    return HeadsetLocationList(items=[HeadsetLocation(asset_tag=h.asset_tag, centre=c.slug)
                                      for h, c in found[offset:offset + limit]],
                               total=len(found))


def parse_instant(value: str) -> datetime:
    """An ISO 8601 date-time within 2000–2100, UTC when naive. An offset's ``+`` arrives as
    a space when the client did not encode it: it is read back as ``+``."""
    value = re.sub(r" ([0-9]{2}:?[0-9]{2})$", r"+\1", value.strip())
    try:
        at = datetime.fromisoformat(value) if value.isascii() else None
    except ValueError:
        at = None
    if at is None or not 2000 <= at.year <= 2100:
        message = _("Give an ISO 8601 date-time between 2000 and 2100.")
        raise InvalidInput("invalid_datetime", message, {"at": message})
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@router.get("/headsets/{asset_tag}", response_model=HeadsetPublic, summary="One headset",
            responses={403: {"description": "Not visible to you"},
                       404: {"description": "Unknown asset tag"}})
def get_headset(request: Request, asset_tag: str, session: SessionDep,
                staff: ApiStaff) -> HeadsetPublic:
    now = utcnow()
    headset = access.require_headset(session, staff, asset_tag, now)
    battery = Battery.from_settings(request.app.state.settings)
    return _public(detail.headset_summary(session, headset, now, battery))
