"""JSON API for group sessions (staff bearer tokens, scoped to the centres they work for):
managers plan, edit and cancel; the centre's staff read, add participants and close. The
same services as the planning pages."""

from datetime import date, time, timedelta
from typing import Annotated

from fastapi import Query
from sqlmodel import Session

from vr_booking.models import StaffUser, VRSession, utcnow
from vr_booking.services.access import (
    require_centre,
    require_managed_centre,
    visible_centre_ids,
)
from vr_booking.services.groups.closing import close_group_session
from vr_booking.services.groups.inputs import parse_plan
from vr_booking.services.groups.planning import (
    cancel_group_session,
    create_group_session,
    update_group_session,
)
from vr_booking.services.groups.queries import (
    group_detail,
    list_groups,
    require_group,
    require_planner,
)
from vr_booking.services.groups.roster import add_participants
from vr_booking.services.open_access.pool import centres_by_id
from vr_booking.services.timeutil import local_to_utc
from vr_booking.web.api.group_models import (
    CloseBody,
    GroupCreate,
    GroupList,
    GroupPublic,
    GroupSummary,
    GroupUpdate,
    HeadsetsBusy,
    ParticipantList,
    ParticipantsCreate,
    group_public,
    participant_public,
)
from vr_booking.web.deps import ApiStaff, SessionDep
from vr_booking.web.params import Limit, Offset, PathId
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1/group-sessions", tags=["group sessions"])
PLANNING_REFUSALS = {
    403: {"description": "Not a manager of this centre (`code`: `managers_only`, "
                         "`not_your_centre`)"},
    404: {"description": "Unknown centre or session (`unknown_centre`, "
                         "`unknown_group_session`)"},
    409: {"model": HeadsetsBusy,
          "description": "`headsets_busy`: the wanted headsets are not all free (each "
                         "clashing headset with what holds it, the free ones, the nearest "
                         "window that fits); `would_strand`: confirmed open-access bookings "
                         "would no longer fit (send `confirm: true` to move the newest to the "
                         "waiting list); `not_planned`: the session is cancelled or closed"},
    422: {"description": "Invalid input: `under_13` (a group whose `max_age` is under 13), "
                         "`invalid_group_session` or `unknown_headset` with `fields`"},
}
STAFF_REFUSALS = {
    403: {"description": "Not your centre (`not_your_centre`)"},
    404: {"description": "Unknown session (`unknown_group_session`)"},
}


def _answer(session: Session, staff: StaffUser, group: VRSession, moved: int = 0) -> GroupPublic:
    return group_public(group_detail(session, staff, group), moved)


@router.post("", status_code=201, response_model=GroupPublic, responses=PLANNING_REFUSALS,
             summary="Plan a group session and reserve its headsets")
def post_group(session: SessionDep, staff: ApiStaff, body: GroupCreate) -> GroupPublic:
    centre = require_managed_centre(session, staff, body.centre)
    plan = parse_plan(body.model_dump(exclude={"centre", "confirm"}, exclude_unset=True))
    done = create_group_session(session, staff, centre, plan, utcnow(), confirmed=body.confirm)
    return _answer(session, staff, done.group, len(done.moved))


@router.get("", response_model=GroupList, responses={404: STAFF_REFUSALS[404]},
            summary="Group sessions at your centres (or one), meeting a date range")
def get_groups(session: SessionDep, staff: ApiStaff,
               centre: Annotated[str | None, Query(description="centre slug")] = None,
               from_: Annotated[date | None, Query(alias="from", description=(
                   "first date (the centre's, else UTC)"), ge=date(2000, 1, 1),
                   le=date(2100, 12, 31))] = None,
               to: Annotated[date | None, Query(description="last date, inclusive",
                                                ge=date(2000, 1, 1),
                                                le=date(2100, 12, 31))] = None,
               limit: Limit = 100, offset: Offset = 0) -> GroupList:
    ids, zone = visible_centre_ids(session, staff), "UTC"
    if centre:
        found = require_centre(session, staff, centre)
        ids, zone = {found.id}, found.timezone
    start = local_to_utc(from_, time(0), zone) if from_ else None
    end = local_to_utc(to + timedelta(days=1), time(0), zone) if to else None
    rows, total = list_groups(session, ids, start, end, limit, offset)
    centres = centres_by_id(session, rows)
    return GroupList(items=[GroupSummary(
        id=g.id, kind=g.kind, status=g.status, title=g.title, centre=centres[g.centre_id].slug,
        starts_at=g.starts_at, ends_at=g.ends_at, organisation=g.organisation,
        group_size=g.group_size, headsets_reserved=g.headsets_reserved) for g in rows],
        total=total)


@router.get("/{group_id}", response_model=GroupPublic, responses=STAFF_REFUSALS,
            summary="A group session with its allocations, roster and rotation")
def get_group(group_id: PathId, session: SessionDep, staff: ApiStaff) -> GroupPublic:
    return _answer(session, staff, require_group(session, staff, group_id))


@router.patch("/{group_id}", response_model=GroupPublic, responses=PLANNING_REFUSALS,
              summary="Change a planned group session (its headsets are reserved again)")
def patch_group(group_id: PathId, session: SessionDep, staff: ApiStaff,
                body: GroupUpdate) -> GroupPublic:
    group = require_planner(session, staff, group_id)
    changes = body.model_dump(exclude={"confirm"}, exclude_unset=True)
    done = update_group_session(session, staff, group, changes, utcnow(),
                                confirmed=body.confirm)
    return _answer(session, staff, done.group, len(done.moved))


@router.post("/{group_id}/cancel", response_model=GroupPublic, responses=PLANNING_REFUSALS,
             summary="Cancel a group session (idempotent); its headsets are freed")
def post_cancel(group_id: PathId, session: SessionDep, staff: ApiStaff) -> GroupPublic:
    group = require_planner(session, staff, group_id)
    return _answer(session, staff, cancel_group_session(session, staff, group, utcnow()))


@router.post("/{group_id}/participants", status_code=201, response_model=ParticipantList,
             responses={**STAFF_REFUSALS,
                        409: {"description": "`not_planned`: cancelled or closed"},
                        422: {"description": "`invalid_roster`: every problem in `detail` "
                                             "(e-mails, codes, age bands, minors)"}},
             summary="Add participants to the roster (all or none)")
def post_participants(group_id: PathId, session: SessionDep, staff: ApiStaff,
                      body: ParticipantsCreate) -> ParticipantList:
    group = require_group(session, staff, group_id)
    added = add_participants(session, staff, group, [p.model_dump() for p in body.participants])
    return ParticipantList(items=[participant_public(p) for p in added], total=len(added))


@router.post("/{group_id}/close", response_model=GroupPublic,
             responses={**STAFF_REFUSALS,
                        409: {"description": "`debrief_required` (no debriefing), "
                                             "`attendance_required`, `not_started`, "
                                             "`headsets_still_out`, `already_closed`, "
                                             "`cancelled`"},
                        422: {"description": "`invalid_close` with `fields`"}},
             summary="Close a group session with its debriefing, videos and attendance")
def post_close(group_id: PathId, session: SessionDep, staff: ApiStaff,
               body: CloseBody) -> GroupPublic:
    group = require_group(session, staff, group_id)
    close_group_session(session, staff, group, utcnow(), debrief=body.debrief,
                        videos_watched=body.videos_watched, attendance=body.attendance)
    return _answer(session, staff, group)
