"""Which videos are installed on which headset, and booked jobs with no video at a centre."""

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, func, select

from vr_booking.i18n import _
from vr_booking.models import (
    ACTIVE,
    Booking,
    BookingJob,
    Centre,
    Headset,
    InstalledVideo,
    Job,
    ServiceState,
    SessionStatus,
    Video,
    VideoJob,
    VRSession,
    utcnow,
)
from vr_booking.services.catalogue.texts import by_shown
from vr_booking.services.errors import InvalidInput
from vr_booking.services.fleet.location import headsets_at

# --- installed content ----------------------------------------------------------------------

def active_videos(session: Session) -> list[Video]:
    return by_shown(session.exec(select(Video).where(col(Video.is_active))))


def installed_video_ids(session: Session, headset_ids: list[int]) -> dict[int, int]:
    """Video id → on how many of these headsets it is installed."""
    return dict(session.exec(
        select(InstalledVideo.video_id, func.count())
        .where(col(InstalledVideo.headset_id).in_(headset_ids))
        .group_by(InstalledVideo.video_id)).all())


def set_installed_videos(session: Session, headset_ids: list[int], video_ids: set[int],
                         now: datetime) -> None:
    """Make exactly these active videos installed on each headset (kept ones keep their date)."""
    known = {v.id for v in active_videos(session)}
    if not video_ids <= known:
        raise InvalidInput("unknown_video", _("Some of the chosen videos are not in the "
                                              "catalogue."))
    rows = session.exec(select(InstalledVideo)
                        .where(col(InstalledVideo.headset_id).in_(headset_ids))).all()
    have = {(r.headset_id, r.video_id) for r in rows}
    for row in rows:
        if row.video_id not in video_ids:
            session.delete(row)
    session.add_all(InstalledVideo(headset_id=h, video_id=v, installed_at=now)
                    for h in headset_ids for v in video_ids if (h, v) not in have)
    session.flush()


def installed_videos(session: Session, headset_ids: Iterable[int]) -> dict[int, set[int]]:
    """Headset id → ids of the videos installed on it."""
    installed: dict[int, set[int]] = {}
    for headset_id, video_id in session.exec(
            select(InstalledVideo.headset_id, InstalledVideo.video_id)
            .where(col(InstalledVideo.headset_id).in_(list(headset_ids)))):
        installed.setdefault(headset_id, set()).add(video_id)
    return installed


def based_headset_ids(session: Session, centre: Centre) -> list[int]:
    return list(session.exec(select(Headset.id).where(Headset.home_centre_id == centre.id)
                             .order_by(Headset.asset_tag)))


def missing_videos_for_jobs(session: Session, centre: Centre, job_ids: Iterable[int],
                            at: datetime | None = None) -> list[Job]:
    """Jobs none of whose videos is installed on any in-service headset at the centre."""
    at = at or utcnow()
    headset_ids = [h.id for h in headsets_at(session, centre, at, at)
                   if h.service_state == ServiceState.in_service]
    shown = select(VideoJob.job_id).join(
        InstalledVideo, col(InstalledVideo.video_id) == VideoJob.video_id
    ).where(col(InstalledVideo.headset_id).in_(headset_ids))
    return list(session.exec(select(Job).where(col(Job.id).in_(list(job_ids)),
                                               col(Job.id).not_in(shown)).order_by(Job.title)))


def booked_jobs_missing_videos(session: Session, centre: Centre,
                               now: datetime) -> list[tuple[Job, int]]:
    """Jobs chosen in upcoming bookings at the centre that no headset there can show,
    with how many bookings chose each."""
    counts = dict(session.exec(
        select(BookingJob.job_id, func.count())
        .join(Booking, col(Booking.id) == BookingJob.booking_id)
        .join(VRSession, col(VRSession.id) == Booking.session_id)
        .where(VRSession.centre_id == centre.id, VRSession.starts_at >= now,
               VRSession.status == SessionStatus.planned,
               col(Booking.status).in_(ACTIVE))
        .group_by(BookingJob.job_id)).all())
    return [(job, counts[job.id]) for job in
            missing_videos_for_jobs(session, centre, counts, now)]
