"""JSON API for the public catalogue: sectors, jobs and videos (no token needed)."""

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel
from sqlmodel import Session

from vr_booking.models import Job, Video
from vr_booking.services.catalogue import edits, queries
from vr_booking.web.deps import SessionDep
from vr_booking.web.params import Limit, Offset
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1", tags=["catalogue"])
NOT_FOUND = {404: {"description": "Unknown or retired slug"}}
BAD_FILTER = {422: {"description": "Unknown sector, job or ROME domain, or invalid limit"}}


class SectorPublic(BaseModel):
    slug: str
    name: str
    name_en: str | None = None
    provider: str


class SectorList(BaseModel):
    items: list[SectorPublic]
    total: int


class JobPublic(BaseModel):
    slug: str
    title: str
    title_en: str | None = None
    rome_code: str
    domain: str
    domain_name: str
    sector: str
    keywords: str
    description: str
    description_en: str | None = None


class JobList(BaseModel):
    items: list[JobPublic]
    total: int


class JobDetail(JobPublic):
    videos: list[str]


class VideoPublic(BaseModel):
    slug: str
    title: str
    title_en: str | None = None
    provider: str
    description: str
    description_en: str | None = None
    duration_seconds: int
    languages: list[str]
    licence: str
    min_age: int
    is_seated: bool
    jobs: list[str]


class VideoList(BaseModel):
    items: list[VideoPublic]
    total: int


def _job(job: Job, sector_slugs: dict[int, str]) -> JobPublic:
    return JobPublic(**job.model_dump(), domain=job.rome_domain,
                     domain_name=queries.domain_name(job.rome_domain),
                     sector=sector_slugs[job.sector_id])


def _videos(session: Session, videos: list[Video]) -> list[VideoPublic]:
    shown = queries.jobs_shown(session, [v.id for v in videos])
    return [VideoPublic(**v.model_dump(exclude={"languages"}),
                        languages=v.languages.split(","),
                        jobs=[j.slug for j in shown.get(v.id, [])]) for v in videos]


def _sector_slugs(session: Session) -> dict[int, str]:
    return {s.id: s.slug for s in edits.all_sectors(session)}


@router.get("/sectors", response_model=SectorList, summary="List the catalogue's sectors")
def list_sectors(session: SessionDep, limit: Limit = 100, offset: Offset = 0) -> SectorList:
    results = queries.list_sectors(session, limit=limit, offset=offset)
    return SectorList(items=[SectorPublic(**s.model_dump()) for s in results.items],
                      total=results.total)


@router.get("/jobs", response_model=JobList, summary="Search the jobs", responses=BAD_FILTER)
def list_jobs(
    session: SessionDep, limit: Limit = 100, offset: Offset = 0,
    q: Annotated[str, Query(max_length=200, description="words of the title, ROME code or "
                            "keywords; accents and case do not matter")] = "",
    sector: Annotated[str, Query(max_length=200, description="a sector's slug")] = "",
    domain: Annotated[str, Query(max_length=200, description="a ROME domain letter, A–N")] = "",
) -> JobList:
    results = queries.search_jobs(session, q=q, sector=sector, domain=domain, limit=limit,
                              offset=offset)
    slugs = _sector_slugs(session)
    return JobList(items=[_job(j, slugs) for j in results.items], total=results.total)


@router.get("/jobs/{slug}", response_model=JobDetail, summary="One job and the videos showing it",
            responses=NOT_FOUND)
def get_job(slug: str, session: SessionDep) -> JobDetail:
    job = queries.get_public_job(session, slug)
    return JobDetail(**_job(job, _sector_slugs(session)).model_dump(),
                     videos=[v.slug for v in queries.videos_showing(session, job)])


@router.get("/videos", response_model=VideoList, summary="Search the videos",
            responses=BAD_FILTER)
def list_videos(
    session: SessionDep, limit: Limit = 100, offset: Offset = 0,
    q: Annotated[str, Query(max_length=200, description="words of the video or of a job it "
                            "shows; accents and case do not matter")] = "",
    sector: Annotated[str, Query(max_length=200, description="a sector's slug")] = "",
    job: Annotated[str, Query(max_length=200, description="a job's slug")] = "",
) -> VideoList:
    results = queries.search_videos(session, q=q, sector=sector, job=job, limit=limit,
                                offset=offset)
    return VideoList(items=_videos(session, results.items), total=results.total)


@router.get("/videos/{slug}", response_model=VideoPublic, summary="One video",
            responses=NOT_FOUND)
def get_video(slug: str, session: SessionDep) -> VideoPublic:
    return _videos(session, [queries.get_public_video(session, slug)])[0]
