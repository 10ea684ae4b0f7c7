"""Who runs a group session and what it shows: its facilitators (the lead on the session
row, the others in ``SessionFacilitator``), its planned jobs and its planned videos (those
chosen, plus the active videos of the planned jobs; ``watched`` is set at close)."""

from dataclasses import dataclass

from sqlmodel import Session, col, delete, select

from vr_booking.i18n import _
from vr_booking.models import (
    Centre,
    Job,
    SessionFacilitator,
    SessionJob,
    SessionVideo,
    StaffCentre,
    StaffUser,
    Video,
    VideoJob,
    VRSession,
)
from vr_booking.services.access import sees_centre
from vr_booking.services.errors import InvalidInput
from vr_booking.services.groups.inputs import GroupPlan


@dataclass
class Links:
    facilitators: list[StaffUser]  # the lead first
    job_ids: list[int]
    video_ids: list[int]  # chosen videos and those of the planned jobs


def resolve_links(session: Session, centre: Centre, plan: GroupPlan) -> Links:
    """The plan's facilitators, jobs and videos, checked: InvalidInput names what is wrong."""
    fields = {}
    staff = {u.email: u for u in session.exec(
        select(StaffUser).where(col(StaffUser.email).in_(plan.facilitators)))}
    facilitators = [staff.get(email) for email in plan.facilitators]
    if any(u is None or not u.is_active or not sees_centre(session, u, centre.id)
           for u in facilitators):
        fields["facilitators"] = _("Choose facilitators among the centre's staff.")
    jobs = set(session.exec(select(Job.id).where(col(Job.id).in_(plan.job_ids))))
    if jobs != set(plan.job_ids):
        fields["job_ids"] = _("Choose jobs from the catalogue.")
    videos = set(session.exec(select(Video.id).where(col(Video.id).in_(plan.video_ids))))
    if videos != set(plan.video_ids):
        fields["video_ids"] = _("Choose videos from the catalogue.")
    if fields:
        raise InvalidInput("invalid_group_session", _("Please correct the marked fields."),
                           fields)
    of_jobs = session.exec(select(VideoJob.video_id).join(Video, col(Video.id) ==
                                                          VideoJob.video_id)
                           .where(col(VideoJob.job_id).in_(plan.job_ids), col(Video.is_active)))
    return Links(facilitators, plan.job_ids, sorted(videos | set(of_jobs)))


def write_links(session: Session, group: VRSession, links: Links) -> None:
    """Replace the session's facilitators, jobs and planned videos (a video still planned
    keeps its ``watched`` flag)."""
    group.facilitator_id = links.facilitators[0].id if links.facilitators else None
    session.add(group)
    session.exec(delete(SessionFacilitator).where(col(SessionFacilitator.session_id) == group.id))
    session.exec(delete(SessionJob).where(col(SessionJob.session_id) == group.id))
    session.exec(delete(SessionVideo).where(col(SessionVideo.session_id) == group.id,
                                            col(SessionVideo.video_id).not_in(links.video_ids)))
    kept = set(session.exec(select(SessionVideo.video_id).where(
        SessionVideo.session_id == group.id)))
    session.add_all(SessionFacilitator(session_id=group.id, staff_id=u.id)
                    for u in links.facilitators[1:])
    session.add_all(SessionJob(session_id=group.id, job_id=j) for j in links.job_ids)
    session.add_all(SessionVideo(session_id=group.id, video_id=v)
                    for v in links.video_ids if v not in kept)
    session.flush()


def facilitators_of(session: Session, group: VRSession) -> list[StaffUser]:
    """The session's facilitators, the lead first."""
    others = list(session.exec(
        select(StaffUser).join(SessionFacilitator, col(SessionFacilitator.staff_id) ==
                               StaffUser.id)
        .where(SessionFacilitator.session_id == group.id).order_by(StaffUser.name)))
    lead = session.get(StaffUser, group.facilitator_id) if group.facilitator_id else None
    return [lead, *others] if lead else others


def planned_jobs(session: Session, group: VRSession) -> list[Job]:
    return list(session.exec(select(Job).join(SessionJob, col(SessionJob.job_id) == Job.id)
                             .where(SessionJob.session_id == group.id).order_by(Job.title)))


def planned_videos(session: Session, group: VRSession) -> list[tuple[Video, bool]]:
    """The planned videos and whether each was watched (recorded at close)."""
    return list(session.exec(
        select(Video, SessionVideo.watched)
        .join(SessionVideo, col(SessionVideo.video_id) == Video.id)
        .where(SessionVideo.session_id == group.id).order_by(Video.title)))


def centre_staff(session: Session, centre: Centre) -> list[StaffUser]:
    """The active staff working at a centre: who can be a session's facilitator."""
    return list(session.exec(
        select(StaffUser).join(StaffCentre, col(StaffCentre.staff_id) == StaffUser.id)
        .where(StaffCentre.centre_id == centre.id, col(StaffUser.is_active))
        .order_by(StaffUser.name)))
