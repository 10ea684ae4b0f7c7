"""Planning group sessions: create, edit and cancel, with their headsets reserved without
conflict (:mod:`.allocation`) and open access kept whole (:mod:`..open_access.pool`).

Each change locks the centre (and the home centres of the headsets concerned), re-reads,
reserves, then settles the pool: if confirmed open-access bookings no longer fit a slot, the
change is refused with those slots listed, unless the manager confirmed it; then the newest
bookings move to the waiting list and are told by e-mail. Seats freed by an edit or a
cancellation go to the waiting list at once. Every change writes an audit row.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from vr_booking.db import lock_centres
from vr_booking.i18n import _
from vr_booking.labels import label
from vr_booking.models import (
    Allocation,
    Booking,
    Centre,
    Headset,
    SessionStatus,
    StaffUser,
    VRSession,
)
from vr_booking.services.audit import record
from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.fleet.access import headsets_by_tag
from vr_booking.services.fleet.location import headsets_at
from vr_booking.services.fleet.reservations import DoubleAllocation
from vr_booking.services.groups.allocation import (
    HeadsetsBusy,
    Window,
    availability,
    choose_headsets,
    reserve,
)
from vr_booking.services.groups.inputs import GroupPlan, parse_plan
from vr_booking.services.groups.links import (
    facilitators_of,
    planned_jobs,
    planned_videos,
    resolve_links,
    write_links,
)
from vr_booking.services.groups.nearest import nearest_window
from vr_booking.services.open_access import waitlist
from vr_booking.services.open_access.pool import settle_pool_change


@dataclass
class Planned:
    """A planned (or edited) session, its headsets, and the bookings moved to the waiting
    list on the manager's confirmation."""

    group: VRSession
    headsets: list[Headset]
    moved: list[Booking] = field(default_factory=list)


def create_group_session(session: Session, actor: StaffUser | None, centre: Centre,
                         plan: GroupPlan, now: datetime, *, confirmed: bool = False) -> Planned:
    """Plan a session at ``centre`` and reserve its headsets (manager checked by callers)."""
    _check_future(plan.starts_at, now)
    links = resolve_links(session, centre, plan)
    asked = headsets_by_tag(session, plan.headset_tags) if plan.headset_tags is not None else []
    _lock(session, centre, plan, asked)
    group = VRSession(centre_id=centre.id, **plan.fields)
    session.add(group)
    session.flush()
    headsets = _allocate(session, centre, group, plan, asked, now, links.video_ids)
    moved = settle_pool_change(session, [centre.id], now, confirmed=confirmed)
    write_links(session, group, links)
    record(session, actor, "group_session.created", centre_id=centre.id,
           subject_type="group_session", subject_id=group.id, summary=_summary(group))
    return Planned(group, headsets, moved)


def update_group_session(session: Session, actor: StaffUser | None, group: VRSession,
                         changes: Mapping[str, Any], now: datetime, *,
                         confirmed: bool = False) -> Planned:
    """Change a planned session; its headsets are reserved again for the new plan (the ones
    it held first, when still free). ``changes`` holds only the fields to change."""
    _check_planned(group)
    base = plan_values(session, group)
    if {"headsets", "headset_tags"} & set(changes):
        base.pop("headsets")
    plan = parse_plan({**base, **changes})
    if (plan.starts_at, plan.ends_at) != (group.starts_at, group.ends_at):
        _check_future(plan.starts_at, now)
    centre = session.get(Centre, group.centre_id)
    links = resolve_links(session, centre, plan)
    asked = headsets_by_tag(session, plan.headset_tags) if plan.headset_tags is not None else []
    _lock(session, centre, plan, asked)
    session.refresh(group)
    _check_planned(group)
    held = _release(session, group)
    changed = sorted(k for k, v in plan.fields.items() if getattr(group, k) != v)
    for key, value in plan.fields.items():
        setattr(group, key, value)
    session.add(group)
    session.flush()
    headsets = _allocate(session, centre, group, plan, asked, now, links.video_ids, held)
    moved = settle_pool_change(session, [centre.id], now, confirmed=confirmed)
    waitlist.promote_waiting(session, now, [centre.id])  # seats the old plan held
    write_links(session, group, links)
    record(session, actor, "group_session.updated", centre_id=centre.id,
           subject_type="group_session", subject_id=group.id,
           summary=f"{_summary(group)}; changed: {', '.join(changed) or '-'}")
    return Planned(group, headsets, moved)


def cancel_group_session(session: Session, actor: StaffUser | None, group: VRSession,
                         now: datetime) -> VRSession:
    """Cancel a session (idempotent): its headsets are freed for others at once."""
    lock_centres(session, [group.centre_id])
    session.refresh(group)
    if group.status == SessionStatus.closed:
        raise Conflict("already_closed", _("This session is closed: it can no longer be "
                                           "cancelled."))
    if group.status == SessionStatus.cancelled:
        return group
    group.status = SessionStatus.cancelled
    session.add(group)
    _release(session, group)
    waitlist.promote_waiting(session, now, [group.centre_id])
    record(session, actor, "group_session.cancelled", centre_id=group.centre_id,
           subject_type="group_session", subject_id=group.id, summary=_summary(group))
    return group


def plan_values(session: Session, group: VRSession) -> dict[str, Any]:
    """The session as a planning request (what an edit starts from)."""
    fields = ("kind", "title", "starts_at", "ends_at", "organisation", "contact", "group_size",
              "min_age", "max_age", "briefing_minutes", "video_minutes", "cleaning_minutes",
              "location", "transport_minutes", "esf_reported", "notes", "accompanying_adult",
              "minors_authorisation_holder")
    return {**{name: getattr(group, name) for name in fields},
            "headsets": group.headsets_reserved,
            "job_ids": [j.id for j in planned_jobs(session, group)],
            "video_ids": [v.id for v, _w in planned_videos(session, group)],
            "facilitators": [u.email for u in facilitators_of(session, group)]}


# --- the steps ------------------------------------------------------------------------------

def _check_future(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        message = _("The session must start in the future.")
        raise InvalidInput("invalid_group_session", message, {"starts_at": message})


def _check_planned(group: VRSession) -> None:
    if group.status != SessionStatus.planned:
        raise Conflict("not_planned", _("This session is {status}: it can no longer be "
                                        "changed.").format(status=label(group.status).lower()))


def _lock(session: Session, centre: Centre, plan: GroupPlan, asked: Iterable[Headset]) -> None:
    """The centre, and the home centres of the headsets concerned (those lent here, those
    asked for): whoever else could reserve them waits for us."""
    window = Window(plan.starts_at, plan.ends_at, plan.fields["transport_minutes"],
                    plan.fields["cleaning_minutes"])
    here = headsets_at(session, centre, *window.blocked)
    lock_centres(session, {centre.id, *(h.home_centre_id for h in [*here, *asked])})


def _release(session: Session, group: VRSession) -> set[int]:
    """Delete the session's allocations; the ids of the headsets they held."""
    held = set(session.exec(select(Allocation.headset_id).where(
        Allocation.session_id == group.id)))
    session.exec(delete(Allocation).where(col(Allocation.session_id) == group.id))
    session.flush()
    return held


def _allocate(session: Session, centre: Centre, group: VRSession, plan: GroupPlan,
              asked: list[Headset], now: datetime, video_ids: list[int],
              prefer: Iterable[int] = ()) -> list[Headset]:
    """Reserve the wanted headsets for the session (by count: those already held, then
    those holding most of ``video_ids``), or explain why not (HeadsetsBusy)."""
    window = Window.of(group)
    found = availability(session, centre, window, asked, exclude_session_id=group.id)
    free = {h.id for h in found.free}
    if asked and not {h.id for h in asked} <= free:
        clashes = [c for c in found.clashes if c.headset in asked]
        raise _busy(session, centre, group, plan, now, clashes,
                    [h for h in found.free if h not in asked])
    if not asked and len(found.free) < plan.headsets:
        raise _busy(session, centre, group, plan, now, found.clashes, found.free)
    chosen = asked or choose_headsets(session, found, plan.headsets, video_ids, prefer)
    try:
        reserve(session, group, chosen)
    except DoubleAllocation:  # another centre's writer got there first: say who
        found = availability(session, centre, window, asked or chosen,
                             exclude_session_id=group.id)
        raise _busy(session, centre, group, plan, now, found.clashes, found.free) from None
    group.headsets_reserved = len(chosen)
    session.add(group)
    session.flush()
    return list(chosen)


def _busy(session: Session, centre: Centre, group: VRSession, plan: GroupPlan, now: datetime,
          clashes: list, free: list[Headset]) -> HeadsetsBusy:
    tags = [h.id for h in headsets_by_tag(session, plan.headset_tags)] \
        if plan.headset_tags is not None else None
    nearest = nearest_window(session, centre, Window.of(group), now, wanted=plan.wanted,
                             tags=tags, exclude_session_id=group.id)
    return HeadsetsBusy(clashes, free, plan.wanted, nearest, centre.timezone)


def _summary(group: VRSession) -> str:
    """What the audit row says (stored once, so in no one language: values, not prose)."""
    return (f"{group.kind} “{group.title}” {group.starts_at:%Y-%m-%d %H:%M}–"
            f"{group.ends_at:%Y-%m-%d %H:%M} UTC, {group.headsets_reserved} headsets")
