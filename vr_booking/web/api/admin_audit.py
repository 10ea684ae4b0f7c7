"""JSON API for reading the audit trail (managers: their centres; administrators: all)."""

from datetime import date, datetime
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from vr_booking.services.admin.audit_log import AuditFilter, AuditRow, search_audit
from vr_booking.web.deps import ApiStaff, SessionDep
from vr_booking.web.params import Limit, Offset
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1/audit", tags=["administration"])
ERRORS = {403: {"description": "Facilitators, or a centre you do not manage"},
          404: {"description": "Unknown centre"},
          422: {"description": "Invalid period"}}


class AuditEventPublic(BaseModel):
    id: int
    at: datetime
    actor: str = Field(description="the e-mail of who acted, or `system`")
    actor_id: int | None
    action: str = Field(description="e.g. `staff.created`, `headset.state_changed`")
    centre: str | None = Field(description="slug of the centre the row is filed under")
    subject_type: str
    subject_id: str
    summary: str


class AuditList(BaseModel):
    items: list[AuditEventPublic]
    total: int


def _public(row: AuditRow) -> AuditEventPublic:
    event = row.event
    return AuditEventPublic(
        id=event.id, at=event.at, actor=event.actor_label, actor_id=event.actor_id,
        action=event.action, centre=row.centre.slug if row.centre else None,
        subject_type=event.subject_type, subject_id=event.subject_id, summary=event.summary)


@router.get("", response_model=AuditList, responses=ERRORS,
            summary="Read the audit trail, newest first")
def read_audit(
    session: SessionDep, staff: ApiStaff, limit: Limit = 100, offset: Offset = 0,
    centre: Annotated[str, Query(max_length=40, description="a centre's slug")] = "",
    person: Annotated[str, Query(max_length=254, description="who acted (e-mail)")] = "",
    kind: Annotated[str, Query(max_length=60, description="`staff`, `centre`, `token`, "
                               "`headset`, … or a whole action")] = "",
    from_date: Annotated[date | None, Query(alias="from", description="first day "
                                            "(the centre's time zone; UTC without one)")] = None,
    to_date: Annotated[date | None, Query(alias="to", description="last day")] = None,
) -> AuditList:
    wanted = AuditFilter(centre=centre, person=person, kind=kind, from_date=from_date,
                         to_date=to_date)
    rows, total = search_audit(session, staff, wanted, limit=limit, offset=offset)
    return AuditList(items=[_public(r) for r in rows], total=total)
