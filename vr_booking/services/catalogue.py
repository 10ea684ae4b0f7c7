"""The catalogue: what the public browses, and the edits managers make to sectors, jobs, videos.

Visitors see a job when it and its sector are active, and a video when it is active. The same
input models check the manager forms and the CSV importer, so both accept exactly the same data.
"""

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, ValidationError
from sqlalchemy import Select, exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, func, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from vr_booking.i18n import _, current_language
from vr_booking.models import (
    ROME_CODE_RE,
    ROME_DOMAINS,
    Job,
    Role,
    Sector,
    StaffUser,
    Video,
    VideoJob,
)
from vr_booking.services.errors import Forbidden, InvalidInput, NotFound
from vr_booking.services.search import fold

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGES_RE = re.compile(r"^[a-z]{2,3}(?:,[a-z]{2,3})*$")
EDITOR_ROLES = (Role.manager, Role.admin)
MAX_DESCRIPTION = 5000
MAX_VIDEO_SECONDS = 24 * 3600
MAX_MIN_AGE = 99

T = TypeVar("T", Sector, Job, Video)
M = TypeVar("M", bound="CatalogueInput")
Q = TypeVar("Q", bound=Select)


# --- input models shared by the forms and the CSV importer ----------------------------------

def _clean(value: Any) -> Any:
    """Trim, make every line break a plain "\\n" and drop NULs (PostgreSQL refuses them).

    Browsers send textarea line breaks as "\\r\\n": without this an export → import round
    trip would change every multi-line description.
    """
    if not isinstance(value, str):
        return value
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _language_list(value: Any) -> Any:
    """'fr, EN' → 'fr,en'."""
    if not isinstance(value, str):
        return value
    return ",".join(p.lower() for p in re.split(r"[\s,;]+", _clean(value)) if p)


def _yes_no(value: Any) -> Any:
    """French spreadsheets say oui/non; pydantic knows true/false, yes/no, 1/0, on/off."""
    if not isinstance(value, str):
        return value
    word = _clean(value).lower()
    return {"oui": True, "non": False}.get(word, word)


def _upper(value: Any) -> Any:
    return _clean(value).upper() if isinstance(value, str) else value


Clean = BeforeValidator(_clean)


def _chars(max_length: int, *, required: bool = True, pattern: str | None = None):
    return StringConstraints(min_length=1 if required else 0, max_length=max_length,
                             pattern=pattern)


def _slug_message(max_length: int) -> str:
    return _("Use lower-case letters without accents, digits and hyphens, at most {n} "
             "characters, e.g. “soudeur”.").format(n=max_length)


class CatalogueInput(BaseModel):
    """Base of the input models: each field has one message in people's words."""

    @staticmethod
    def messages() -> dict[str, str]:
        return {}


class SectorIn(CatalogueInput):
    slug: Annotated[str, Clean, _chars(80, pattern=SLUG_RE.pattern)]
    name: Annotated[str, Clean, _chars(120)]
    provider: Annotated[str, Clean, _chars(120, required=False)] = ""

    @staticmethod
    def messages() -> dict[str, str]:
        return {"slug": _slug_message(80),
                "name": _("Give the sector's name (at most 120 characters)."),
                "provider": _("The provider's name has at most 120 characters.")}


class JobIn(CatalogueInput):
    slug: Annotated[str, Clean, _chars(120, pattern=SLUG_RE.pattern)]
    title: Annotated[str, Clean, _chars(160)]
    rome_code: Annotated[str, BeforeValidator(_upper), _chars(5, pattern=ROME_CODE_RE.pattern)]
    sector: Annotated[str, Clean, _chars(80, pattern=SLUG_RE.pattern)]
    keywords: Annotated[str, Clean, _chars(500, required=False)] = ""
    description: Annotated[str, Clean, _chars(MAX_DESCRIPTION, required=False)] = ""

    @staticmethod
    def messages() -> dict[str, str]:
        return {"slug": _slug_message(120),
                "title": _("Give the job's title (at most 160 characters)."),
                "rome_code": _("A ROME code is a capital letter from A to N and four digits, "
                               "e.g. H2913."),
                "sector": _("Choose the job's sector from the list."),
                "keywords": _("Keywords are limited to 500 characters."),
                "description": _("The description is limited to {n} characters.")
                .format(n=MAX_DESCRIPTION)}


class VideoIn(CatalogueInput):
    slug: Annotated[str, Clean, _chars(120, pattern=SLUG_RE.pattern)]
    title: Annotated[str, Clean, _chars(200)]
    provider: Annotated[str, Clean, _chars(120, required=False)] = ""
    description: Annotated[str, Clean, _chars(MAX_DESCRIPTION, required=False)] = ""
    duration_seconds: Annotated[int, Clean, Field(gt=0, le=MAX_VIDEO_SECONDS)]
    languages: Annotated[str, BeforeValidator(_language_list),
                         _chars(60, pattern=LANGUAGES_RE.pattern)]
    licence: Annotated[str, Clean, _chars(120, required=False)] = ""
    min_age: Annotated[int, Clean, Field(ge=0, le=MAX_MIN_AGE)]
    is_seated: Annotated[bool, BeforeValidator(_yes_no)]
    jobs: Annotated[list[Annotated[str, Clean]], Field(min_length=1)]

    @staticmethod
    def messages() -> dict[str, str]:
        return {"slug": _slug_message(120),
                "title": _("Give the video's title (at most 200 characters)."),
                "provider": _("The provider's name has at most 120 characters."),
                "description": _("The description is limited to {n} characters.")
                .format(n=MAX_DESCRIPTION),
                "duration_seconds": _("Give the length in seconds: a whole number from 1 to "
                                      "86400 (7 minutes = 420)."),
                "languages": _("Give language codes separated by commas, e.g. “fr” or "
                               "“fr,en”."),
                "licence": _("The licence has at most 120 characters."),
                "min_age": _("Give the minimum age as a whole number from 0 to 99."),
                "is_seated": _("Say whether the video is watched seated or standing."),
                "jobs": _("Choose at least one job that the video shows.")}


def validate_fields(model: type[M], data: Mapping[str, Any]) -> tuple[M | None, dict[str, str]]:
    """Check a form or a CSV row; the problems are keyed by field name."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        messages = model.messages()
        return None, {str(e["loc"][0]): messages[str(e["loc"][0])] for e in exc.errors()}


def _valid(values: M | None, problems: dict[str, str]) -> M:
    if problems or values is None:
        raise InvalidInput("invalid_catalogue_item", _("Please correct the marked fields."),
                           problems)
    return values


def job_search_text(title: str, rome_code: str, keywords: str, sector_name: str) -> str:
    """What the job search matches: title, ROME code, keywords and sector, folded."""
    return fold(" ".join((title, rome_code, keywords, sector_name)))


def video_search_text(title: str, description: str) -> str:
    return fold(" ".join((title, description)))


# --- the public catalogue --------------------------------------------------------------------

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


def _results(session: Session, query: SelectOfScalar, limit: int | None,
             offset: int) -> Results:
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    return Results(list(session.exec(query.offset(offset).limit(limit))), total)


def search_jobs(session: Session, *, q: str = "", sector: str = "", domain: str = "",
                limit: int | None = None, offset: int = 0) -> Results:
    """Public jobs matching every word of ``q``, in a sector and/or a ROME domain.

    ``search_text`` starts with the folded title, so ordering by it is accent-insensitive.
    """
    query = _public(select(Job)).where(
        *(col(Job.search_text).contains(w, autoescape=True) for w in _words(q)))
    if sector:
        query = query.where(Job.sector_id == _sector_filter(session, sector).id)
    if domain:
        query = query.where(col(Job.rome_code).startswith(_domain_filter(domain)))
    return _results(session, query.order_by(col(Job.search_text), col(Job.id)), limit, offset)


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
    return _results(session, query.order_by(col(Video.search_text), col(Video.id)), limit,
                    offset)


def _domain_filter(domain: str) -> str:
    letter = domain.strip().upper()
    if letter not in ROME_DOMAINS:
        raise InvalidInput("unknown_domain", _("“{domain}” is not a ROME domain: use a letter "
                                               "from A to N.").format(domain=domain))
    return letter


def _sector_filter(session: Session, slug: str) -> Sector:
    sector = _lookup(session, Sector, slug)
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
    """Active sectors, by slug (the name's plain-letter form, so accents do not sort last)."""
    query = select(Sector).where(col(Sector.is_active)).order_by(col(Sector.slug))
    return _results(session, query, limit, offset)


def public_job_counts(session: Session) -> tuple[Counter[int], Counter[str]]:
    """How many public jobs each sector (by id) and each ROME domain (by letter) has."""
    rows = session.exec(_public(select(Job.sector_id, Job.rome_code))).all()
    return Counter(r[0] for r in rows), Counter(r[1][0] for r in rows)


def get_public_job(session: Session, slug: str) -> Job:
    """An active job of an active sector; 404 otherwise."""
    job = _lookup(session, Job, slug)
    if job is None or not job.is_active or not sector_of(session, job).is_active:
        raise NotFound("unknown_job", _("There is no job “{slug}” in the catalogue.")
                       .format(slug=slug))
    return job


def get_public_video(session: Session, slug: str) -> Video:
    video = _lookup(session, Video, slug)
    if video is None or not video.is_active:
        raise NotFound("unknown_video", _("There is no video “{slug}” in the catalogue.")
                       .format(slug=slug))
    return video


def videos_showing(session: Session, job: Job) -> list[Video]:
    """The active videos that show this job."""
    return list(session.exec(
        select(Video).join(VideoJob, col(VideoJob.video_id) == Video.id)
        .where(VideoJob.job_id == job.id, col(Video.is_active))
        .order_by(col(Video.search_text))))


def jobs_shown(session: Session, video_ids: Iterable[int]) -> dict[int, list[Job]]:
    """The public jobs each of these videos shows."""
    rows = session.exec(_public(select(Job, VideoJob.video_id))
                        .join(VideoJob, col(VideoJob.job_id) == Job.id)
                        .where(col(VideoJob.video_id).in_(list(video_ids)))
                        .order_by(col(Job.search_text))).all()
    shown: dict[int, list[Job]] = {}
    for job, video_id in rows:
        shown.setdefault(video_id, []).append(job)
    return shown


def sector_of(session: Session, job: Job) -> Sector:
    return session.get_one(Sector, job.sector_id)


# --- manager edits ---------------------------------------------------------------------------

def require_editor(staff: StaffUser) -> None:
    """Managers and administrators edit the catalogue; facilitators only use it."""
    if staff.role not in EDITOR_ROLES:
        raise Forbidden("catalogue_editors_only", _("Only centre managers and administrators "
                                                    "can change the catalogue."))


def _lookup(session: Session, model: type[T], slug: Any) -> T | None:
    slug = _clean(slug) if isinstance(slug, str) else ""
    if not SLUG_RE.match(slug):  # never send odd bytes to the database
        return None
    return session.exec(select(model).where(model.slug == slug)).first()


def find_item(session: Session, model: type[T], slug: str) -> T:
    """A sector, job or video by slug, retired or not (for managers)."""
    item = _lookup(session, model, slug)
    if item is None:
        raise NotFound("unknown_item", _("There is no “{slug}” in the catalogue.")
                       .format(slug=slug))
    return item


def _slug_taken(session: Session, model: type[T], data: Mapping[str, Any]) -> dict[str, str]:
    if _lookup(session, model, data.get("slug")) is None:
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


def create_sector(session: Session, data: Mapping[str, Any]) -> Sector:
    """Add a sector; any problem is reported by field and nothing is written."""
    values, problems = validate_fields(SectorIn, data)
    values = _valid(values, problems | _slug_taken(session, Sector, data))
    return _save(session, Sector(**values.model_dump()))


def update_sector(session: Session, slug: str, data: Mapping[str, Any]) -> Sector:
    """Rename a sector (its slug stays) and refresh its jobs' search text."""
    sector = find_item(session, Sector, slug)
    values = _valid(*validate_fields(SectorIn, {**data, "slug": slug}))
    sector.name, sector.provider = values.name, values.provider
    _save(session, sector)
    refresh_search_text(session, sector)
    return sector


def refresh_search_text(session: Session, sector: Sector) -> None:
    """Jobs search by their sector's name too: recompute them after a rename."""
    for job in session.exec(select(Job).where(Job.sector_id == sector.id)):
        job.search_text = job_search_text(job.title, job.rome_code, job.keywords, sector.name)
        session.add(job)
    session.flush()


def create_job(session: Session, data: Mapping[str, Any]) -> Job:
    values, problems = validate_fields(JobIn, data)
    problems = _sector_problem(session, data) | problems | _slug_taken(session, Job, data)
    return _save(session, _fill_job(session, Job(slug=""), _valid(values, problems)))


def update_job(session: Session, slug: str, data: Mapping[str, Any]) -> Job:
    job = find_item(session, Job, slug)
    values, problems = validate_fields(JobIn, {**data, "slug": slug})
    values = _valid(values, _sector_problem(session, data) | problems)
    return _save(session, _fill_job(session, job, values))


def _sector_problem(session: Session, data: Mapping[str, Any]) -> dict[str, str]:
    if _lookup(session, Sector, data.get("sector")) is not None:
        return {}
    return {"sector": JobIn.messages()["sector"]}


def _fill_job(session: Session, job: Job, values: JobIn) -> Job:
    sector = find_item(session, Sector, values.sector)
    job.sqlmodel_update(values.model_dump(exclude={"sector"}))
    job.sector_id = sector.id
    job.search_text = job_search_text(job.title, job.rome_code, job.keywords, sector.name)
    return job


def create_video(session: Session, data: Mapping[str, Any]) -> Video:
    values, problems = validate_fields(VideoIn, data)
    problems |= _slug_taken(session, Video, data) | _unknown_jobs(session, data.get("jobs"))
    values = _valid(values, problems)
    video = _save(session, Video(**video_columns(values)))
    _link_jobs(session, video, values.jobs)
    return video


def update_video(session: Session, slug: str, data: Mapping[str, Any]) -> Video:
    video = find_item(session, Video, slug)
    values, problems = validate_fields(VideoIn, {**data, "slug": slug})
    values = _valid(values, problems | _unknown_jobs(session, data.get("jobs")))
    video.sqlmodel_update(video_columns(values))
    _link_jobs(session, _save(session, video), values.jobs)
    return video


def video_columns(values: VideoIn) -> dict[str, Any]:
    """The Video table's columns for checked input (the job links are separate rows)."""
    return {**values.model_dump(exclude={"jobs"}),
            "search_text": video_search_text(values.title, values.description)}


def _unknown_jobs(session: Session, slugs: Any) -> dict[str, str]:
    wanted = {_clean(s) for s in slugs if isinstance(s, str)} if isinstance(slugs, list) else set()
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


def set_active(session: Session, model: type[T], slug: str, *, active: bool) -> T:
    """Retire an item (hidden from the public, kept for history) or bring it back."""
    item = find_item(session, model, slug)
    item.is_active = active
    session.add(item)
    session.flush()
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
