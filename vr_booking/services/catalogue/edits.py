"""The edits catalogue editors make to sectors, jobs and videos, and what their pages show.

The catalogue is shared by the whole network, so only admins and staff given the right
explicitly (``StaffUser.can_edit_catalogue``) change it; a centre's manager chooses which
videos are installed on its own headsets (``services/fleet/content.py``)."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from vr_booking.i18n import _
from vr_booking.models import Job, Role, Sector, StaffUser, Video, VideoJob
from vr_booking.services.audit import record
from vr_booking.services.catalogue.inputs import (
    JobIn,
    SectorIn,
    T,
    VideoIn,
    clean_text,
    job_search_text,
    lookup,
    require_valid,
    validate_fields,
    video_search_text,
)
from vr_booking.services.catalogue.queries import sector_of
from vr_booking.services.errors import Forbidden, InvalidInput, NotFound


def is_catalogue_editor(staff: StaffUser) -> bool:
    """Admins, and staff members given the right, edit the network-wide catalogue."""
    return staff.role == Role.admin or staff.can_edit_catalogue


def require_editor(staff: StaffUser) -> None:
    """Refuse anyone but a catalogue editor (the others only use the catalogue)."""
    if not is_catalogue_editor(staff):
        raise Forbidden("catalogue_editors_only", _("Only administrators and the staff they "
                                                    "name can change the catalogue."))


def find_item(session: Session, model: type[T], slug: str) -> T:
    """A sector, job or video by slug, retired or not (for managers)."""
    item = lookup(session, model, slug)
    if item is None:
        raise NotFound("unknown_item", _("There is no “{slug}” in the catalogue.")
                       .format(slug=slug))
    return item


def _slug_taken(session: Session, model: type[T], data: Mapping[str, Any]) -> dict[str, str]:
    if lookup(session, model, data.get("slug")) is None:
        return {}
    return {"slug": _("This slug is already used by another item; choose another.")}


def _save(session: Session, item: T) -> T:
    """Flush in a savepoint, so that a slug taken meanwhile by a concurrent request (the
    unique constraint catches it) is a clear refusal rather than a failed transaction."""
    try:
        with session.begin_nested():
            session.add(item)
    except IntegrityError:
        raise InvalidInput("slug_taken", _("Please correct the marked fields."), {
            "slug": _("This slug is already used by another item; choose another.")}) from None
    return item


def create_sector(session: Session, data: Mapping[str, Any],
                  actor: StaffUser | None = None) -> Sector:
    """Add a sector; any problem is reported by field and nothing is written."""
    values, problems = validate_fields(SectorIn, data)
    values = require_valid(values, problems | _slug_taken(session, Sector, data))
    return _audit(session, actor, "created", _save(session, Sector(**values.model_dump())))


def update_sector(session: Session, slug: str, data: Mapping[str, Any],
                  actor: StaffUser | None = None) -> Sector:
    """Rename a sector (its slug stays) and refresh its jobs' search text."""
    sector = find_item(session, Sector, slug)
    values = require_valid(*validate_fields(SectorIn, {**data, "slug": slug}))
    sector.name, sector.name_en, sector.provider = values.name, values.name_en, values.provider
    _save(session, sector)
    refresh_search_text(session, sector)
    return _audit(session, actor, "updated", sector)


def refresh_search_text(session: Session, sector: Sector) -> None:
    """Jobs search by their sector's name too: recompute them after a rename."""
    for job in session.exec(select(Job).where(Job.sector_id == sector.id)):
        job.search_text = job_search_text(job, sector)
        session.add(job)
    session.flush()


def create_job(session: Session, data: Mapping[str, Any], actor: StaffUser | None = None) -> Job:
    values, problems = validate_fields(JobIn, data)
    problems = _sector_problem(session, data) | problems | _slug_taken(session, Job, data)
    job = _fill_job(session, Job(slug=""), require_valid(values, problems))
    return _audit(session, actor, "created", _save(session, job))


def update_job(session: Session, slug: str, data: Mapping[str, Any],
               actor: StaffUser | None = None) -> Job:
    job = find_item(session, Job, slug)
    values, problems = validate_fields(JobIn, {**data, "slug": slug})
    values = require_valid(values, _sector_problem(session, data) | problems)
    return _audit(session, actor, "updated", _save(session, _fill_job(session, job, values)))


def _sector_problem(session: Session, data: Mapping[str, Any]) -> dict[str, str]:
    if lookup(session, Sector, data.get("sector")) is not None:
        return {}
    return {"sector": JobIn.messages()["sector"]}


def _fill_job(session: Session, job: Job, values: JobIn) -> Job:
    sector = find_item(session, Sector, values.sector)
    job.sqlmodel_update(values.model_dump(exclude={"sector"}))
    job.sector_id = sector.id
    job.search_text = job_search_text(job, sector)
    return job


def create_video(session: Session, data: Mapping[str, Any],
                 actor: StaffUser | None = None) -> Video:
    values, problems = validate_fields(VideoIn, data)
    problems |= _slug_taken(session, Video, data) | _unknown_jobs(session, data.get("jobs"))
    values = require_valid(values, problems)
    video = _save(session, Video(**video_columns(values)))
    _link_jobs(session, video, values.jobs)
    return _audit(session, actor, "created", video)


def update_video(session: Session, slug: str, data: Mapping[str, Any],
                 actor: StaffUser | None = None) -> Video:
    video = find_item(session, Video, slug)
    values, problems = validate_fields(VideoIn, {**data, "slug": slug})
    values = require_valid(values, problems | _unknown_jobs(session, data.get("jobs")))
    video.sqlmodel_update(video_columns(values))
    _link_jobs(session, _save(session, video), values.jobs)
    return _audit(session, actor, "updated", video)


def video_columns(values: VideoIn) -> dict[str, Any]:
    """The Video table's columns for checked input (the job links are separate rows)."""
    return {**values.model_dump(exclude={"jobs"}), "search_text": video_search_text(values)}


def _unknown_jobs(session: Session, slugs: Any) -> dict[str, str]:
    given = slugs if isinstance(slugs, list) else []
    wanted = {clean_text(s) for s in given if isinstance(s, str)}
    found = set(session.exec(select(Job.slug).where(col(Job.slug).in_(wanted))))
    if wanted <= found:
        return {}
    return {"jobs": _("One of the chosen jobs is not in the catalogue.")}


def _link_jobs(session: Session, video: Video, slugs: list[str]) -> None:
    """Make the video show exactly these jobs."""
    wanted = set(session.exec(select(Job.id).where(col(Job.slug).in_(slugs))))
    for link in session.exec(select(VideoJob).where(VideoJob.video_id == video.id)):
        if link.job_id in wanted:
            wanted.discard(link.job_id)
        else:
            session.delete(link)
    session.add_all(VideoJob(video_id=video.id, job_id=job_id) for job_id in wanted)
    session.flush()


def set_active(session: Session, model: type[T], slug: str, *, active: bool,
               actor: StaffUser | None = None) -> T:
    """Retire an item (hidden from the public, kept for history) or bring it back."""
    item = find_item(session, model, slug)
    item.is_active = active
    session.add(item)
    session.flush()
    return _audit(session, actor, "restored" if active else "retired", item)


def _audit(session: Session, actor: StaffUser | None, verb: str, item: T) -> T:
    """The audit row of an edit, e.g. ``catalogue.job_updated``; returns the item."""
    kind = type(item).__name__.lower()
    record(session, actor, f"catalogue.{kind}_{verb}", subject_type=kind,
           subject_id=item.slug, summary=getattr(item, "title", "") or getattr(item, "name", ""))
    return item


# --- what the manager pages show -------------------------------------------------------------

@dataclass
class Overview:
    """Everything in the catalogue, retired items included, for the manager page."""

    sectors: list[Sector]
    jobs: list[Job]
    videos: list[Video]
    sector_names: dict[int, str]
    jobs_per_sector: Counter[int]
    jobs_per_video: Counter[int]


def catalogue_overview(session: Session) -> Overview:
    sectors = all_sectors(session)
    jobs = list(session.exec(select(Job).order_by(col(Job.search_text))))
    videos = list(session.exec(select(Video).order_by(col(Video.search_text))))
    links = session.exec(select(VideoJob.video_id)).all()
    return Overview(sectors, jobs, videos, {s.id: s.name for s in sectors},
                    Counter(j.sector_id for j in jobs), Counter(links))


def all_sectors(session: Session) -> list[Sector]:
    """Every sector, retired ones included, by slug."""
    return list(session.exec(select(Sector).order_by(col(Sector.slug))))


def all_jobs_by_sector(session: Session) -> list[tuple[Sector, list[Job]]]:
    """Every job grouped by sector, for the video form's checkboxes."""
    jobs = session.exec(select(Job).order_by(col(Job.search_text))).all()
    return [(s, [j for j in jobs if j.sector_id == s.id]) for s in all_sectors(session)]


def form_values(session: Session, item: SQLModel) -> dict[str, Any]:
    """An existing item's values as its edit form shows them."""
    values = item.model_dump()
    if isinstance(item, Job):
        values["sector"] = sector_of(session, item).slug
    if isinstance(item, Video):
        values["is_seated"] = "true" if item.is_seated else "false"
        values["jobs"] = list(session.exec(
            select(Job.slug).join(VideoJob, col(VideoJob.job_id) == Job.id)
            .where(VideoJob.video_id == item.id)))
    return values
