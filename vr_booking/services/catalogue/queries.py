"""The public catalogue: what visitors browse and search.

Visitors see a job when it and its sector are active, and a video when it is active. Lists
come sorted by the text the reader sees (:mod:`.texts`): the catalogue is small enough
(hundreds of entries) to sort in Python, which keeps accents in their place on both
databases and English titles in English order.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, exists
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from vr_booking.i18n import _, current_language
from vr_booking.models import ROME_DOMAINS, Job, Sector, Video, VideoJob
from vr_booking.services.catalogue.inputs import lookup
from vr_booking.services.catalogue.texts import by_shown
from vr_booking.services.errors import InvalidInput, NotFound
from vr_booking.services.search import fold

Q = TypeVar("Q", bound=Select)

def domain_name(letter: str) -> str:
    """The ROME domain's name in the request's language."""
    french, english = ROME_DOMAINS[letter]
    return french if current_language.get() == "fr" else english


def rome_domains() -> list[tuple[str, str]]:
    return [(letter, domain_name(letter)) for letter in ROME_DOMAINS]


def _public(query: Q) -> Q:
    """Only public jobs: active, in an active sector."""
    return (query.join(Sector, col(Sector.id) == Job.sector_id)
            .where(col(Job.is_active), col(Sector.is_active)))


def _words(query: str) -> list[str]:
    return fold(query.replace("\x00", "")).split()


def _shows(condition: Any) -> Any:
    """The video shows at least one public job meeting ``condition``."""
    return exists(select(VideoJob.job_id)
                  .join(Job, col(Job.id) == VideoJob.job_id)
                  .join(Sector, col(Sector.id) == Job.sector_id)
                  .where(VideoJob.video_id == Video.id, col(Job.is_active),
                         col(Sector.is_active), condition))


@dataclass
class Results:
    items: list
    total: int


def _results(session: Session, query: SelectOfScalar, field: str, limit: int | None,
             offset: int) -> Results:
    """The page ``[offset, offset + limit)`` of the query's rows sorted by their shown text."""
    rows = by_shown(session.exec(query), field)
    end = None if limit is None else offset + limit
    return Results(rows[offset:end], len(rows))


def search_jobs(session: Session, *, q: str = "", sector: str = "", domain: str = "",
                limit: int | None = None, offset: int = 0) -> Results:
    """Public jobs matching every word of ``q`` (in French or English), in a sector and/or a
    ROME domain, by title."""
    query = _public(select(Job)).where(
        *(col(Job.search_text).contains(w, autoescape=True) for w in _words(q)))
    if sector:
        query = query.where(Job.sector_id == _sector_filter(session, sector).id)
    if domain:
        query = query.where(col(Job.rome_code).startswith(_domain_filter(domain)))
    return _results(session, query, "title", limit, offset)


def search_videos(session: Session, *, q: str = "", sector: str = "", job: str = "",
                  limit: int | None = None, offset: int = 0) -> Results:
    """Active videos whose text, or a job they show, matches every word of ``q``."""
    query = select(Video).where(col(Video.is_active), *(
        or_(col(Video.search_text).contains(w, autoescape=True),
            _shows(col(Job.search_text).contains(w, autoescape=True)))
        for w in _words(q)))
    if sector:
        query = query.where(_shows(Job.sector_id == _sector_filter(session, sector).id))
    if job:
        query = query.where(_shows(Job.id == _job_filter(session, job).id))
    return _results(session, query, "title", limit, offset)


def _domain_filter(domain: str) -> str:
    letter = domain.strip().upper()
    if letter not in ROME_DOMAINS:
        raise InvalidInput("unknown_domain", _("“{domain}” is not a ROME domain: use a letter "
                                               "from A to N.").format(domain=domain))
    return letter


def _sector_filter(session: Session, slug: str) -> Sector:
    sector = lookup(session, Sector, slug)
    if sector is None or not sector.is_active:
        raise InvalidInput("unknown_sector",
                           _("There is no sector “{slug}” in the catalogue.").format(slug=slug))
    return sector


def _job_filter(session: Session, slug: str) -> Job:
    try:
        return get_public_job(session, slug)
    except NotFound:
        raise InvalidInput("unknown_job", _("There is no job “{slug}” in the catalogue.")
                           .format(slug=slug)) from None


def list_sectors(session: Session, *, limit: int | None = None, offset: int = 0) -> Results:
    """Active sectors, by name."""
    return _results(session, select(Sector).where(col(Sector.is_active)), "name", limit, offset)


def public_job_counts(session: Session) -> tuple[Counter[int], Counter[str]]:
    """How many public jobs each sector (by id) and each ROME domain (by letter) has."""
    rows = session.exec(_public(select(Job.sector_id, Job.rome_code))).all()
    return Counter(r[0] for r in rows), Counter(r[1][0] for r in rows)


def get_public_job(session: Session, slug: str) -> Job:
    """An active job of an active sector; 404 otherwise."""
    job = lookup(session, Job, slug)
    if job is None or not job.is_active or not sector_of(session, job).is_active:
        raise NotFound("unknown_job", _("There is no job “{slug}” in the catalogue.")
                       .format(slug=slug))
    return job


def get_public_video(session: Session, slug: str) -> Video:
    video = lookup(session, Video, slug)
    if video is None or not video.is_active:
        raise NotFound("unknown_video", _("There is no video “{slug}” in the catalogue.")
                       .format(slug=slug))
    return video


def videos_showing(session: Session, job: Job) -> list[Video]:
    """The active videos that show this job."""
    return by_shown(session.exec(
        select(Video).join(VideoJob, col(VideoJob.video_id) == Video.id)
        .where(VideoJob.job_id == job.id, col(Video.is_active))))


def jobs_shown(session: Session, video_ids: Iterable[int]) -> dict[int, list[Job]]:
    """The public jobs each of these videos shows."""
    rows = session.exec(_public(select(Job, VideoJob.video_id))
                        .join(VideoJob, col(VideoJob.job_id) == Job.id)
                        .where(col(VideoJob.video_id).in_(list(video_ids)))).all()
    shown: dict[int, list[Job]] = {}
    for job, video_id in rows:
        shown.setdefault(video_id, []).append(job)
    return {video_id: by_shown(jobs) for video_id, jobs in shown.items()}


def public_jobs_by_sector(session: Session) -> list[tuple[Sector, list[Job]]]:
    """The public jobs grouped by active sector, both by name (the booking form's choices)."""
    sectors = by_shown(session.exec(select(Sector).where(col(Sector.is_active))), "name")
    jobs = by_shown(session.exec(select(Job).where(col(Job.is_active))))
    return [(s, [j for j in jobs if j.sector_id == s.id]) for s in sectors]


def sector_of(session: Session, job: Job) -> Sector:
    return session.get_one(Sector, job.sector_id)
