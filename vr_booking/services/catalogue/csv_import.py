"""Import the job-video catalogue from CSV: check every row first, then write all or nothing.

The columns are :mod:`.csv_columns`. An empty ``sector_name`` refers to a sector already in the
database. Rows are matched by slug, so importing the same file twice changes nothing; an
import never deletes or retires. The rows are checked with the same input models as the
manager forms.
"""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from vr_booking.i18n import _
from vr_booking.models import Job, Sector, Video, VideoJob
from vr_booking.services.catalogue.csv_columns import (
    COLUMNS,
    JOB_FIELDS,
    JOB_PART,
    OPTIONAL_COLUMNS,
    SECTOR_FIELDS,
    VIDEO_FIELDS,
    VIDEO_PART,
)
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


@dataclass(frozen=True)
class Problem:
    """Why the file cannot be imported; ``row`` is the file's line (None: the whole file)."""

    row: int | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("Row {number}: {problem}").format(number=self.row, problem=self.message)


@dataclass(frozen=True)
class Change:
    """What an import creates or changes: kind is sector, job, video or link."""

    kind: str
    slug: str
    is_new: bool


@dataclass
class ImportReport:
    """What an import found (dry run) or did."""

    problems: list[Problem] = field(default_factory=list)
    sectors: dict[str, SectorIn] = field(default_factory=dict)
    jobs: dict[str, JobIn] = field(default_factory=dict)
    videos: dict[str, VideoIn] = field(default_factory=dict)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    changes: list[Change] = field(default_factory=list)
    rows: int = 0
    absent: frozenset[str] = frozenset()  # optional columns the file does not have
    # where each row (by its three slugs) and each item (by kind and slug) first appeared
    row_numbers: dict[tuple[str, ...], int] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def created(self) -> int:
        return sum(c.is_new for c in self.changes)

    @property
    def updated(self) -> int:
        return sum(not c.is_new for c in self.changes)


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

    ``known_sectors`` (slug → name) are the sectors a row may name by slug alone.
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
        _read_rows(report, reader, comments, known_sectors or {})
    except csv.Error as exc:
        report.problems.append(Problem(reader.line_num + comments,
                                       _("this is not valid CSV ({error})").format(error=exc)))
    return report


def _read_rows(report: ImportReport, reader: csv.DictReader, comments: int,
               known_sectors: Mapping[str, str]) -> None:
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
        cells = {k: (v or "").strip() for k, v in row.items()} | dict.fromkeys(report.absent, "")
        problems = _check_row(report, reader.line_num + comments, cells, known_sectors)
        if extra:
            problems.append(_("more cells than columns: a value containing a comma must be "
                              "in double quotes"))
        report.problems.extend(Problem(reader.line_num + comments, p) for p in problems)


def _check_row(report: ImportReport, number: int, row: dict[str, str],
               known_sectors: Mapping[str, str]) -> list[str]:
    problems: list[str] = []
    has_video = any(row[c] for c in VIDEO_PART)
    has_job = has_video or any(row[c] for c in JOB_PART)
    key = (row["sector_slug"], row["job_slug"], row["video_slug"])
    if key in report.row_numbers:
        problems.append(_("duplicate of row {number}").format(number=report.row_numbers[key]))
    report.row_numbers.setdefault(key, number)
    if not row["sector_name"]:  # a sector named in an earlier row or already in the database
        earlier = report.sectors.get(row["sector_slug"])
        row["sector_name"] = earlier.name if earlier else known_sectors.get(row["sector_slug"], "")
    if row["sector_name"] or not row["sector_slug"]:
        problems += _check_part(report, number, row, SectorIn, SECTOR_FIELDS, report.sectors)
    else:
        problems.append(_("unknown sector “{slug}”: give its sector_name to create it")
                        .format(slug=row["sector_slug"]))
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


def import_catalogue(session: Session, text: str, *, dry_run: bool = False) -> ImportReport:
    """Check every row, then create or update them all; with any problem nothing is written.

    A dry run imports inside a savepoint and rolls it back, so that its report lists exactly
    what a real import would create and change.
    """
    known = dict(session.exec(select(Sector.slug, Sector.name)).all())
    report = read_catalogue_csv(text, known)
    if not report.ok:
        return report
    savepoint = session.begin_nested()
    try:
        _write(session, report)
    except IntegrityError:  # a concurrent edit created one of the new slugs first
        savepoint.rollback()
        raise Conflict("catalogue_changed", _("The catalogue changed during the import: "
                                              "nothing was imported. Please try again.")) from None
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return report


def import_catalogue_or_raise(session: Session, text: str) -> ImportReport:
    report = import_catalogue(session, text)
    if not report.ok:
        raise InvalidInput("bad_catalogue", "\n".join(str(p) for p in report.problems))
    return report


def _write(session: Session, report: ImportReport) -> None:
    sectors = _upsert(session, report, Sector, {
        slug: _given(report, values, SECTOR_FIELDS, {"slug", "provider"})
        for slug, values in report.sectors.items()})
    for change in report.changes:  # renamed sectors: their other jobs search by the new name
        if change.kind == "sector" and not change.is_new:
            refresh_search_text(session, sectors[change.slug])
    jobs = _upsert(session, report, Job, {
        slug: {**_given(report, values, JOB_FIELDS, {"sector"}),
               "sector_id": sectors[values.sector].id}
        for slug, values in report.jobs.items()})
    for slug, values in report.jobs.items():
        jobs[slug].search_text = job_search_text(jobs[slug], sectors[values.sector])
    videos = _upsert(session, report, Video, {
        slug: _given(report, video_columns(values), VIDEO_FIELDS, {"search_text"})
        for slug, values in report.videos.items()})
    for video in videos.values():
        video.search_text = video_search_text(video)
    session.add_all([*jobs.values(), *videos.values()])
    _link_videos(session, report, videos)


def _given(report: ImportReport, values: Any, fields: dict[str, str],
           exclude: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    """The columns to write, without the English texts the file does not have (importing
    an older file keeps the English texts already stored). Search texts are computed from
    the stored rows afterwards, for the same reason."""
    data = values if isinstance(values, dict) else values.model_dump()
    return {name: value for name, value in data.items()
            if name not in exclude and fields.get(name) not in report.absent}


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
