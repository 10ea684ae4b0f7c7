"""Import the job-video catalogue from CSV: check every row first, then write all or nothing.

The columns are :mod:`.csv_columns`. An empty ``sector_name`` refers to a sector already in the
database. Rows are matched by slug, so importing the same file twice changes nothing; an
import never deletes or retires. The rows are checked with the same input models as the
manager forms. Cells the exporter protected against spreadsheet formulas are read back as
they were (:func:`.csv_columns.unprotect_cell`).

Parsing and checking a 2 MB file takes seconds, so it happens before the first database
statement: on SQLite a write transaction holds the database's write lock from its first
statement, and bookings would wait behind the parser. A dry run never writes: it compares
the checked rows with what is stored (:mod:`.csv_plan`).
"""

import csv
import io
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from vr_booking.i18n import _
from vr_booking.models import Job, Sector, StaffUser, Video, VideoJob
from vr_booking.services.audit import record
from vr_booking.services.catalogue.csv_columns import (
    COLUMNS,
    JOB_FIELDS,
    JOB_PART,
    OPTIONAL_COLUMNS,
    SECTOR_FIELDS,
    VIDEO_FIELDS,
    VIDEO_PART,
    unprotect_cell,
)
from vr_booking.services.catalogue.csv_plan import given_columns, job_columns, plan_changes
from vr_booking.services.catalogue.csv_report import Change, ImportReport, Problem
from vr_booking.services.catalogue.edits import refresh_search_text, video_columns
from vr_booking.services.catalogue.inputs import (
    CatalogueInput,
    JobIn,
    SectorIn,
    T,
    VideoIn,
    job_search_text,
    validate_fields,
    video_search_text,
)
from vr_booking.services.errors import Conflict, InvalidInput

MAX_FILE_BYTES = 2 * 1024 * 1024
SHOWN_VALUE_CHARS = 40


def decode_catalogue_file(raw: bytes) -> str:
    """The text of an uploaded catalogue: refused when empty, too big or not UTF-8."""
    if not raw:
        raise InvalidInput("no_file", _("Choose a CSV file to import."))
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidInput("file_too_big", _("This file is larger than {size} MB: split the "
                                             "catalogue into several files.")
                           .format(size=MAX_FILE_BYTES // (1024 * 1024)))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("not_utf8", _("This file is not UTF-8 text. In your spreadsheet, "
                                         "save it as “CSV UTF-8” and try again.")) from None


def read_catalogue_csv(text: str, known_sectors: Mapping[str, str] | None = None) -> ImportReport:
    """Parse and check a catalogue CSV without touching the database.

    ``known_sectors`` (slug → name) are the sectors a row may name by slug alone; without
    them such sectors stay pending until :func:`resolve_sectors`.
    """
    report = ImportReport()
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_FILE_BYTES:
        report.problems.append(Problem(None, _("This file is larger than {size} MB: split the "
                                               "catalogue into several files.")
                                       .format(size=MAX_FILE_BYTES // (1024 * 1024))))
        return report
    comments = 0
    while text.startswith("#"):  # leading comment lines, e.g. where the data comes from
        text = text.partition("\n")[2]
        comments += 1
    reader = csv.DictReader(io.StringIO(text))
    try:
        _read_rows(report, reader, comments)
    except csv.Error as exc:
        report.problems.append(Problem(reader.line_num + comments,
                                       _("this is not valid CSV ({error})").format(error=exc)))
    if known_sectors is not None:
        resolve_sectors(report, known_sectors)
    return report


def resolve_sectors(report: ImportReport, known: Mapping[str, str]) -> None:
    """Check the sectors rows named by slug alone against those stored (slug → name)."""
    for slug, number in report.pending_sectors.items():
        if slug not in known:
            report.problems.append(Problem(number, _(
                "unknown sector “{slug}”: give its sector_name to create it").format(slug=slug)))
        elif slug not in report.sectors:
            report.sectors[slug] = SectorIn(slug=slug, name=known[slug])
    report.pending_sectors.clear()
    report.problems.sort(key=lambda problem: problem.row or 0)


def _read_rows(report: ImportReport, reader: csv.DictReader, comments: int) -> None:
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    report.absent = frozenset(missing) & OPTIONAL_COLUMNS
    missing = [c for c in missing if c not in OPTIONAL_COLUMNS]
    if missing:
        report.problems.append(Problem(None, _("Missing columns: {columns}")
                                       .format(columns=", ".join(missing))))
        return
    for row in reader:
        report.rows += 1
        extra = [v for v in row.pop(None, []) if v.strip()]  # type: ignore[call-overload]
        cells = {k: unprotect_cell((v or "").strip()) for k, v in row.items()}
        cells |= dict.fromkeys(report.absent, "")
        problems = _check_row(report, reader.line_num + comments, cells)
        if extra:
            problems.append(_("more cells than columns: a value containing a comma must be "
                              "in double quotes"))
        report.problems.extend(Problem(reader.line_num + comments, p) for p in problems)


def _check_row(report: ImportReport, number: int, row: dict[str, str]) -> list[str]:
    problems: list[str] = []
    has_video = any(row[c] for c in VIDEO_PART)
    has_job = has_video or any(row[c] for c in JOB_PART)
    key = (row["sector_slug"], row["job_slug"], row["video_slug"])
    if key in report.row_numbers:
        problems.append(_("duplicate of row {number}").format(number=report.row_numbers[key]))
    report.row_numbers.setdefault(key, number)
    if not row["sector_name"]:  # a sector named in an earlier row or already in the database
        earlier = report.sectors.get(row["sector_slug"])
        row["sector_name"] = earlier.name if earlier else ""
    if row["sector_name"] or not row["sector_slug"]:
        problems += _check_part(report, number, row, SectorIn, SECTOR_FIELDS, report.sectors)
    else:
        report.pending_sectors.setdefault(row["sector_slug"], number)
    if has_job:
        problems += _check_part(report, number, row, JobIn, JOB_FIELDS, report.jobs)
    if has_video:
        problems += _check_part(report, number, row, VideoIn, VIDEO_FIELDS, report.videos)
        report.pairs.add((row["video_slug"], row["job_slug"]))
    return problems


def _check_part(report: ImportReport, number: int, row: dict[str, str],
                model: type[CatalogueInput], fields: dict[str, str],
                seen: dict[str, Any]) -> list[str]:
    """Check one entity of the row, and that it says the same as its earlier rows."""
    data: dict[str, Any] = {name: row[column] for name, column in fields.items()}
    if model is VideoIn:
        data |= {"jobs": [row["job_slug"]], "languages": row["languages"] or "fr"}
    values, errors = validate_fields(model, data)
    if values is None:
        return [_cell_problem(fields[name], row[fields[name]], message)
                for name, message in errors.items()]
    earlier = seen.setdefault(values.slug, values)
    first = report.row_numbers.setdefault((model.__name__, values.slug), number)
    differing = [fields[name] for name in model.model_fields
                 if name != "jobs" and getattr(earlier, name) != getattr(values, name)]
    if not differing:
        return []
    return [_("“{slug}” differs from row {number} in {columns}")
            .format(slug=values.slug, number=first, columns=", ".join(differing))]


def _cell_problem(column: str, value: str, message: str) -> str:
    if not value:
        return _("{column} is empty: {message}").format(column=column, message=message)
    if len(value) > SHOWN_VALUE_CHARS:
        value = value[:SHOWN_VALUE_CHARS] + "…"
    return _("{column} “{value}”: {message}").format(column=column, value=value,
                                                    message=message)


def import_catalogue(session: Session, text: str, *, dry_run: bool = False,
                     actor: StaffUser | None = None) -> ImportReport:
    """Check every row, then create or update them all; with any problem nothing is written.

    The file is parsed before the first statement (see the module's docstring). A dry run
    only reads: its report lists what a real import would create and change.
    """
    report = read_catalogue_csv(text)
    resolve_sectors(report, dict(session.exec(select(Sector.slug, Sector.name)).all()))
    if not report.ok:
        return report
    if dry_run:
        report.changes = plan_changes(session, report)
        return report
    savepoint = session.begin_nested()
    try:
        _write(session, report)
    except IntegrityError:  # a concurrent edit created one of the new slugs first
        savepoint.rollback()
        raise Conflict("catalogue_changed", _("The catalogue changed during the import: "
                                              "nothing was imported. Please try again.")) from None
    savepoint.commit()
    if report.changes:
        record(session, actor, "catalogue.imported", subject_type="catalogue",
               summary=f"{report.rows} rows: {report.created} created, {report.updated} updated")
    return report


def import_catalogue_or_raise(session: Session, text: str) -> ImportReport:
    report = import_catalogue(session, text)
    if not report.ok:
        raise InvalidInput("bad_catalogue", "\n".join(str(p) for p in report.problems))
    return report


def _write(session: Session, report: ImportReport) -> None:
    sectors = _upsert(session, report, Sector, {
        slug: given_columns(report, values, SECTOR_FIELDS, {"slug", "provider"})
        for slug, values in report.sectors.items()})
    for change in report.changes:  # renamed sectors: their other jobs search by the new name
        if change.kind == "sector" and not change.is_new:
            refresh_search_text(session, sectors[change.slug])
    jobs = _upsert(session, report, Job, {
        slug: job_columns(report, values, sectors[values.sector])
        for slug, values in report.jobs.items()})
    for slug, values in report.jobs.items():
        jobs[slug].search_text = job_search_text(jobs[slug], sectors[values.sector])
    videos = _upsert(session, report, Video, {
        slug: given_columns(report, video_columns(values), VIDEO_FIELDS, {"search_text"})
        for slug, values in report.videos.items()})
    for video in videos.values():
        video.search_text = video_search_text(video)
    session.add_all([*jobs.values(), *videos.values()])
    _link_videos(session, report, videos)


def _upsert(
    session: Session, report: ImportReport, model: type[T], rows: dict[str, dict[str, Any]],
) -> dict[str, T]:
    existing = {o.slug: o for o in session.exec(select(model).where(col(model.slug).in_(rows)))}
    for slug, values in rows.items():
        item = existing.get(slug)
        if item is None:
            item = existing[slug] = model(**{"slug": slug, **values})
        elif all(getattr(item, k) == v for k, v in values.items()):
            continue
        else:
            item.sqlmodel_update(values)
        report.changes.append(Change(model.__name__.lower(), slug, item.id is None))
        session.add(item)
    session.flush()
    return existing


def _link_videos(session: Session, report: ImportReport, videos: dict[str, Video]) -> None:
    job_ids = dict(session.exec(select(Job.slug, Job.id)
                                .where(col(Job.slug).in_(report.jobs))).all())
    linked = {tuple(link) for link in session.exec(
        select(VideoJob.video_id, VideoJob.job_id)
        .where(col(VideoJob.video_id).in_([v.id for v in videos.values()])))}
    for video_slug, job_slug in sorted(report.pairs):
        if (videos[video_slug].id, job_ids[job_slug]) not in linked:
            session.add(VideoJob(video_id=videos[video_slug].id, job_id=job_ids[job_slug]))
            report.changes.append(Change("link", f"{video_slug} → {job_slug}", True))
    session.flush()
