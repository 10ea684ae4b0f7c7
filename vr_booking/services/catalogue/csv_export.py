"""Export the public catalogue as CSV, in the importer's columns, with no cell that a
spreadsheet would run as a formula (:func:`.csv_columns.protect_cell`)."""

import csv
import io

from sqlmodel import Session, col, select

from vr_booking.models import Job, Sector, Video, VideoJob
from vr_booking.services.catalogue.csv_columns import COLUMNS, protect_cell


def export_catalogue(session: Session) -> str:
    """The public catalogue in the importer's columns: importing it back changes nothing.

    Retired items are left out (the file has no column for them).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([protect_cell(cell) for cell in row] for row in _export_rows(session))
    return buffer.getvalue()


def _export_rows(session: Session) -> list[list[str]]:
    jobs = session.exec(select(Job, Sector).join(Sector, col(Sector.id) == Job.sector_id)
                        .where(col(Job.is_active), col(Sector.is_active))).all()
    videos: dict[int, list[Video]] = {}
    for job_id, video in session.exec(select(VideoJob.job_id, Video)
                                      .join(Video, col(Video.id) == VideoJob.video_id)
                                      .where(col(Video.is_active))):
        videos.setdefault(job_id, []).append(video)
    rows = [_export_row(sector, job, video)
            for job, sector in jobs for video in videos.get(job.id, [None])]
    with_jobs = {sector.id for _job, sector in jobs}
    rows += [_export_row(sector, None, None) for sector in session.exec(
        select(Sector).where(col(Sector.is_active))) if sector.id not in with_jobs]
    return sorted(rows, key=lambda row: (row[0], row[2], row[7]))  # sector, job, video slugs


def _export_row(sector: Sector, job: Job | None, video: Video | None) -> list[str]:
    row = [sector.slug, sector.name]
    row += ([job.slug, job.title, job.rome_code, job.keywords, job.description] if job
            else [""] * 5)
    row += ([video.slug, video.title, video.description, str(video.duration_seconds),
             video.languages, str(video.min_age), "true" if video.is_seated else "false",
             video.licence, video.provider] if video else [""] * 9)
    row += [sector.name_en or ""]
    row += [job.title_en or "", job.description_en or ""] if job else ["", ""]
    row += [video.title_en or "", video.description_en or ""] if video else ["", ""]
    return row
