"""Reading group sessions: one by id (for those who may see it), lists, and a session with
everything its pages and the API show (allocations, roster, rotation, links)."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from vr_booking.config import settings_for
from vr_booking.i18n import _
from vr_booking.models import (
    LONGEST_SESSION,
    Allocation,
    Centre,
    Headset,
    Job,
    Participant,
    SessionKind,
    SessionStatus,
    StaffUser,
    Video,
    VRSession,
)
from vr_booking.services.access import can_manage, require_manager, sees_centre
from vr_booking.services.errors import Forbidden, NotFound
from vr_booking.services.groups.links import facilitators_of, planned_jobs, planned_videos
from vr_booking.services.groups.rotation import Limits, Rotation, plan_rotation, roster_order


def find_group(session: Session, group_id: int) -> VRSession:
    group = session.get(VRSession, group_id)
    if group is None or group.kind == SessionKind.open_access:
        raise NotFound("unknown_group_session", _("This group session does not exist."))
    return group


def require_group(session: Session, staff: StaffUser, group_id: int) -> VRSession:
    """The group session if this staff member works for its centre (404, else 403)."""
    group = find_group(session, group_id)
    if not sees_centre(session, staff, group.centre_id):
        raise Forbidden("not_your_centre", _("This session belongs to another centre."))
    return group


def require_planner(session: Session, staff: StaffUser, group_id: int) -> VRSession:
    """The group session if this staff member plans for its centre (a manager)."""
    group = require_group(session, staff, group_id)
    require_manager(session, staff, group.centre_id)
    return group


def list_groups(session: Session, centre_ids: set[int], start: datetime | None,
                end: datetime | None, limit: int, offset: int) -> tuple[list[VRSession], int]:
    """Group sessions at these centres meeting [start, end), by start; and how many in all."""
    where = [col(VRSession.centre_id).in_(centre_ids),
             VRSession.kind != SessionKind.open_access]
    if start is not None:  # no session is longer: the bound lets the start's index help
        where += [VRSession.ends_at > start, VRSession.starts_at > start - LONGEST_SESSION]
    if end is not None:
        where.append(VRSession.starts_at < end)
    total = session.exec(select(func.count()).select_from(VRSession).where(*where)).one()
    rows = session.exec(select(VRSession).where(*where)
                        .order_by(VRSession.starts_at, VRSession.id).offset(offset).limit(limit))
    return list(rows), total


@dataclass
class GroupDetail:
    group: VRSession
    centre: Centre
    allocations: list[tuple[Allocation, Headset]]
    roster: list[Participant]
    rotation: Rotation
    facilitators: list[StaffUser]
    jobs: list[Job]
    videos: list[tuple[Video, bool]]
    can_plan: bool

    @property
    def headsets(self) -> list[Headset]:
        return [h for _a, h in self.allocations]

    @property
    def is_planned(self) -> bool:
        return self.group.status == SessionStatus.planned

    @property
    def has_minors(self) -> bool:
        return self.group.min_age is not None and self.group.min_age < 18


def roster_of(session: Session, group: VRSession) -> list[Participant]:
    """The group's roster, in the order it was made (walk-ins are not on it)."""
    return roster_order(session.exec(select(Participant).where(
        Participant.session_id == group.id)).all())


def group_detail(session: Session, staff: StaffUser | None, group: VRSession) -> GroupDetail:
    """Everything about one group session, for its page, its printed plan and the API."""
    allocations = list(session.exec(
        select(Allocation, Headset).join(Headset, col(Headset.id) == Allocation.headset_id)
        .where(Allocation.session_id == group.id).order_by(Headset.asset_tag)))
    roster = roster_of(session, group)
    limits = Limits.from_settings(settings_for(session))
    return GroupDetail(
        group, session.get(Centre, group.centre_id), allocations, roster,
        plan_rotation(group, roster, limits), facilitators_of(session, group),
        planned_jobs(session, group), planned_videos(session, group),
        staff is not None and can_manage(session, staff, group.centre_id))
