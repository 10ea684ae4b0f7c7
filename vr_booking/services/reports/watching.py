"""Videos and jobs watched, by provider sector and by ROME domain.

Two sources, kept apart because they count different things:

- *views*: a person watched a video during a headset use (recorded at the return);
- *group screenings*: a video marked watched when a group session closed (once a session,
  whatever the group's size).

A video shows one or more jobs: a view counts once for each job it shows, and once for each
sector (or domain) among them, never twice for the same one. Three SQL statements: views per
video, screenings per video, then the jobs of the videos seen.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, func, select

from vr_booking.models import (
    HeadsetUse,
    Job,
    Sector,
    SessionStatus,
    SessionVideo,
    VideoJob,
    VRSession,
    WatchedVideo,
)
from vr_booking.services.reports.scope import Period, Scope, within


@dataclass
class Watched:
    """Counts in the order they are shown: most watched first."""

    views: int = 0
    screenings: int = 0
    by_sector: list[tuple[str, int, int]] = field(default_factory=list)  # name, views, screenings
    by_domain: list[tuple[str, int, int]] = field(default_factory=list)  # letter, …
    by_job: list[tuple[str, str, int, int]] = field(default_factory=list)  # title, ROME code, …


def _per_video(session: Session, scope: Scope, period: Period,
               now: datetime) -> tuple[Counter[int], Counter[int]]:
    views = Counter(dict(session.exec(
        select(WatchedVideo.video_id, func.count())
        .join(HeadsetUse, col(HeadsetUse.id) == WatchedVideo.use_id)
        .join(VRSession, col(VRSession.id) == HeadsetUse.session_id)
        .where(within(HeadsetUse.started_at, VRSession.centre_id, scope, period))
        .group_by(WatchedVideo.video_id)).all()))
    screenings = Counter(dict(session.exec(
        select(SessionVideo.video_id, func.count())
        .join(VRSession, col(VRSession.id) == SessionVideo.session_id)
        .where(col(SessionVideo.watched), VRSession.status != SessionStatus.cancelled,
               VRSession.starts_at < now,
               within(VRSession.starts_at, VRSession.centre_id, scope, period))
        .group_by(SessionVideo.video_id)).all()))
    return views, screenings


def _ranked(views: Counter, screenings: Counter) -> list[tuple]:
    keys = views.keys() | screenings.keys()
    return sorted(((key, views[key], screenings[key]) for key in keys),
                  key=lambda row: (-row[1] - row[2], str(row[0])))


def videos_watched(session: Session, scope: Scope, period: Period, now: datetime) -> Watched:
    """Views and screenings in total, by sector, by ROME domain and by job."""
    views, screenings = _per_video(session, scope, period, now)
    seen = views.keys() | screenings.keys()
    if not seen:
        return Watched()
    jobs = session.exec(
        select(VideoJob.video_id, Job.title, Job.rome_code, Sector.name)
        .join(Job, col(Job.id) == VideoJob.job_id)
        .join(Sector, col(Sector.id) == Job.sector_id)
        .where(col(VideoJob.video_id).in_(seen))
    ).all()
    counts = {name: (Counter(), Counter()) for name in ("sector", "domain", "job")}
    keys_of: dict[int, dict[str, set]] = {v: {"sector": set(), "domain": set(), "job": set()}
                                          for v in seen}
    for video_id, title, rome_code, sector in jobs:
        keys_of[video_id]["sector"].add(sector)
        keys_of[video_id]["domain"].add(rome_code[0])
        keys_of[video_id]["job"].add((title, rome_code))
    for video_id, keys in keys_of.items():
        for name, found in keys.items():
            for key in found:
                counts[name][0][key] += views[video_id]
                counts[name][1][key] += screenings[video_id]
    return Watched(
        views=sum(views.values()), screenings=sum(screenings.values()),
        by_sector=_ranked(*counts["sector"]), by_domain=_ranked(*counts["domain"]),
        by_job=[(title, code, v, s) for (title, code), v, s in _ranked(*counts["job"])])
