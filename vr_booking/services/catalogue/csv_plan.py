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
from vr_booking.services.catalogue.csv_report import Change, ImportReport
from vr_booking.services.catalogue.edits import video_columns
from vr_booking.services.catalogue.inputs import JobIn, T, job_search_text

CHUNK = 500  # slugs per IN (…): well under SQLite's limit on bound parameters


def job_columns(values: JobIn, sector: Sector) -> dict[str, Any]:
    """The Job table's columns for a checked row in this sector."""
    return {**values.model_dump(exclude={"sector"}), "sector_id": sector.id,
            "search_text": job_search_text(values.title, values.rome_code, values.keywords,
                                           sector.name)}


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
    changes = _changes("sector", {s: {"name": v.name} for s, v in report.sectors.items()},
                       sectors)
    # A renamed sector refreshes its jobs' search text before they are compared, so the
    # import never reports a job as changed for its sector's new name alone.
    changes += _changes("job", {s: job_columns(v, target[v.sector])
                                for s, v in report.jobs.items()}, jobs, ("search_text",))
    changes += _changes("video", {s: video_columns(v) for s, v in report.videos.items()},
                        videos)
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
