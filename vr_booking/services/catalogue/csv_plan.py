"""What a catalogue import would create and change, found by reading only.

A dry run must not write: on SQLite, writing (even in a savepoint rolled back later) would
hold the database's write lock while thousands of rows are compared, and bookings would
wait. So the checked rows are compared with the stored ones here, the way the import's
upserts compare them.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from sqlmodel import Session, col, select

from vr_booking.models import Job, Sector, Video, VideoJob
from vr_booking.services.catalogue.csv_columns import JOB_FIELDS, SECTOR_FIELDS, VIDEO_FIELDS
from vr_booking.services.catalogue.csv_report import Change, ImportReport
from vr_booking.services.catalogue.edits import video_columns
from vr_booking.services.catalogue.inputs import JobIn, T

CHUNK = 500  # slugs per IN (…): well under SQLite's limit on bound parameters


def given_columns(report: ImportReport, values: Any, fields: dict[str, str],
                  exclude: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    """The columns an import writes, without the English texts the file does not have
    (importing an older file keeps the English texts already stored). Search texts are
    computed from the stored rows afterwards, for the same reason."""
    data = values if isinstance(values, dict) else values.model_dump()
    return {name: value for name, value in data.items()
            if name not in exclude and fields.get(name) not in report.absent}


def job_columns(report: ImportReport, values: JobIn, sector: Sector) -> dict[str, Any]:
    """The Job table's columns for a checked row in this sector."""
    return {**given_columns(report, values, JOB_FIELDS, {"sector"}), "sector_id": sector.id}


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _stored(session: Session, model: type[T], slugs: Iterable[str]) -> dict[str, T]:
    found: dict[str, T] = {}
    for chunk in _chunks(slugs):
        found.update((o.slug, o) for o in session.exec(select(model).where(
            col(model.slug).in_(chunk))))
    return found


def _changes(kind: str, wanted: dict[str, dict[str, Any]], stored: dict[str, Any],
             ignored: tuple[str, ...] = ()) -> list[Change]:
    changes = []
    for slug, values in wanted.items():
        item = stored.get(slug)
        if item is None:
            changes.append(Change(kind, slug, True))
        elif any(getattr(item, k) != v for k, v in values.items() if k not in ignored):
            changes.append(Change(kind, slug, False))
    return changes


def plan_changes(session: Session, report: ImportReport) -> list[Change]:
    """The changes an import of this checked report would make, in the import's order."""
    sectors = _stored(session, Sector, report.sectors)
    jobs = _stored(session, Job, report.jobs)
    videos = _stored(session, Video, report.videos)
    target = {slug: sectors.get(slug) or Sector(slug=slug, name=values.name)
              for slug, values in report.sectors.items()}
    changes = _changes("sector", {
        s: given_columns(report, v, SECTOR_FIELDS, {"slug", "provider"})
        for s, v in report.sectors.items()}, sectors)
    # Search texts are left out of the comparison: a renamed sector refreshes its jobs'
    # search text, and the import never reports a job as changed for that alone.
    changes += _changes("job", {s: job_columns(report, v, target[v.sector])
                                for s, v in report.jobs.items()}, jobs)
    changes += _changes("video", {
        s: given_columns(report, video_columns(v), VIDEO_FIELDS, {"search_text"})
        for s, v in report.videos.items()}, videos)
    return changes + _new_links(session, report, jobs, videos)


def _new_links(session: Session, report: ImportReport, jobs: dict[str, Job],
               videos: dict[str, Video]) -> list[Change]:
    linked: set[tuple[int, int]] = set()
    for chunk in _chunks(v.id for v in videos.values()):
        linked.update(session.exec(select(VideoJob.video_id, VideoJob.job_id)
                                   .where(col(VideoJob.video_id).in_(chunk))).all())
    changes = []
    for video_slug, job_slug in sorted(report.pairs):
        video, job = videos.get(video_slug), jobs.get(job_slug)
        if video is None or job is None or (video.id, job.id) not in linked:
            changes.append(Change("link", f"{video_slug} → {job_slug}", True))
    return changes
