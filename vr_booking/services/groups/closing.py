"""Closing a group session (field rule 9): only once the facilitator has recorded the
debriefing, the videos watched and the attendance; those anonymous counts then feed the
reports (``VRSession.attendance``, ``SessionVideo.watched``).

A session closed before its planned end gives its headsets back at once (its allocations
end after the cleaning) and the waiting list gets the seats this frees.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from vr_booking.db import lock_centres
from vr_booking.i18n import _
from vr_booking.models import (
    Allocation,
    Headset,
    HeadsetUse,
    SessionStatus,
    SessionVideo,
    StaffUser,
    Video,
    VRSession,
)
from vr_booking.services.audit import record
from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.open_access import waitlist

MAX_ATTENDANCE = 1000
MAX_DEBRIEF = 5000


def close_group_session(session: Session, staff: StaffUser, group: VRSession, now: datetime, *,
                        debrief: str, videos_watched: Iterable[int] | None,
                        attendance: int | None) -> VRSession:
    """Close the session with its debrief (409 ``debrief_required`` without one)."""
    debrief = debrief.replace("\x00", "").strip()
    watched = _check_input(session, debrief, videos_watched, attendance)
    lock_centres(session, [group.centre_id])
    session.refresh(group)
    _check_state(session, group, now, debrief, attendance)
    group.debrief, group.debriefed_at, group.attendance = debrief, now, attendance
    group.status = SessionStatus.closed
    session.add(group)
    _record_watched(session, group, watched)
    if _end_allocations(session, group, now):
        waitlist.promote_waiting(session, now, [group.centre_id])
    record(session, staff, "group_session.closed", centre_id=group.centre_id,
           subject_type="group_session", subject_id=group.id,
           summary=f"attendance {attendance}, {len(watched)} videos watched")
    return group


def _check_input(session: Session, debrief: str, videos: Iterable[int] | None,
                 attendance: int | None) -> set[int]:
    fields = {}
    if len(debrief) > MAX_DEBRIEF:
        fields["debrief"] = _("The debriefing is limited to 5000 characters.")
    if attendance is not None and not 0 <= attendance <= MAX_ATTENDANCE:
        fields["attendance"] = _("The attendance is a number of people from 0 to 1000.")
    if videos is None:
        fields["videos_watched"] = _("Say which videos were watched (none is an answer).")
    watched = set(videos or [])
    if watched - set(session.exec(select(Video.id).where(col(Video.id).in_(watched)))):
        fields["videos_watched"] = _("Choose videos from the catalogue.")
    if fields:
        raise InvalidInput("invalid_close", _("Please correct the marked fields."), fields)
    return watched


def _check_state(session: Session, group: VRSession, now: datetime, debrief: str,
                 attendance: int | None) -> None:
    if group.status == SessionStatus.cancelled:
        raise Conflict("cancelled", _("This session was cancelled."))
    if group.status == SessionStatus.closed:
        raise Conflict("already_closed", _("This session is already closed."))
    if group.starts_at > now:
        raise Conflict("not_started", _("This session has not started yet."))
    if not debrief:
        raise Conflict("debrief_required", _("Record the debriefing before closing the "
                                             "session."))
    if attendance is None:
        raise Conflict("attendance_required", _("Record how many people came before closing "
                                                "the session."))
    out = session.exec(select(Headset.asset_tag).join(
        HeadsetUse, col(HeadsetUse.headset_id) == Headset.id).where(
        HeadsetUse.session_id == group.id, col(HeadsetUse.returned_at).is_(None))).all()
    if out:
        raise Conflict("headsets_still_out", _("Take these headsets back before closing: "
                                               "{tags}.").format(tags=", ".join(sorted(out))))


def _record_watched(session: Session, group: VRSession, watched: set[int]) -> None:
    """Planned videos get their ``watched`` flag; others watched are added as watched."""
    planned = {v.video_id: v for v in session.exec(select(SessionVideo).where(
        SessionVideo.session_id == group.id))}
    for video_id, row in planned.items():
        row.watched = video_id in watched
    session.add_all([*planned.values(), *(SessionVideo(session_id=group.id, video_id=v,
                                                       watched=True)
                                          for v in watched - set(planned))])
    session.flush()


def _end_allocations(session: Session, group: VRSession, now: datetime) -> bool:
    """End the session's allocations once its headsets are back and clean; True if any
    ended earlier than planned (capacity grew)."""
    end = now + timedelta(minutes=group.transport_minutes + group.cleaning_minutes)
    shortened = False
    for allocation in session.exec(select(Allocation).where(
            Allocation.session_id == group.id, Allocation.ends_at > end)):
        allocation.ends_at = max(end, allocation.starts_at + timedelta(minutes=1))  # non-empty
        session.add(allocation)
        shortened = True
    session.flush()
    return shortened
