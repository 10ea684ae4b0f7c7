"""Import the job-video catalogue from CSV: check every row first, then write all or nothing.

One row per (video, job) pair; a video showing three jobs has three rows with the same video
columns. Rows are matched by slug, so importing the same file twice changes nothing.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from vr_booking.i18n import _
from vr_booking.models import ROME_CODE_RE, Job, Sector, Video, VideoJob
from vr_booking.services.errors import InvalidInput
from vr_booking.services.search import fold

COLUMNS = (
    "sector_slug", "sector_name", "job_slug", "job_title", "rome_code", "job_keywords",
    "job_description", "video_slug", "video_title", "video_description", "duration_seconds",
    "languages", "min_age", "seated", "licence", "provider",
)
SECTOR_COLS = ("sector_name",)
JOB_COLS = ("sector_slug", "job_title", "rome_code", "job_keywords", "job_description")
VIDEO_COLS = ("video_title", "video_description", "duration_seconds", "languages", "min_age",
              "seated", "licence", "provider")
TRUE_WORDS = {"true", "yes", "oui", "1"}
FALSE_WORDS = {"false", "no", "non", "0"}


@dataclass
class ImportReport:
    """What an import found (dry run) or did."""

    problems: list[str] = field(default_factory=list)
    sectors: dict[str, dict[str, str]] = field(default_factory=dict)
    jobs: dict[str, dict[str, str]] = field(default_factory=dict)
    videos: dict[str, dict[str, str]] = field(default_factory=dict)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def read_catalogue_csv(text: str) -> ImportReport:
    """Parse and check a catalogue CSV without touching the database."""
    report = ImportReport()
    lines = [line for line in io.StringIO(text) if not line.startswith("#")]
    reader = csv.DictReader(lines)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.problems.append(_("Missing columns: {columns}").format(columns=", ".join(missing)))
        return report
    for number, row in enumerate(reader, start=2):
        _check_row(report, number, {k: (v or "").strip() for k, v in row.items() if k})
    return report


def _check_row(report: ImportReport, number: int, row: dict[str, str]) -> None:
    problems = _row_problems(row)
    for entity, key, cols in (
        (report.sectors, "sector_slug", SECTOR_COLS),
        (report.jobs, "job_slug", JOB_COLS),
        (report.videos, "video_slug", VIDEO_COLS),
    ):
        known = entity.setdefault(row[key], {c: row[c] for c in cols})
        if row[key] and any(known[c] != row[c] for c in cols):
            problems.append(_("{slug} differs from its earlier row").format(slug=row[key]))
    pair = (row["video_slug"], row["job_slug"])
    if pair in report.pairs:
        problems.append(_("duplicate of an earlier row"))
    report.pairs.add(pair)
    report.problems.extend(
        _("Row {number}: {problem}").format(number=number, problem=p) for p in problems
    )


def _row_problems(row: dict[str, str]) -> list[str]:
    problems = [
        _("{column} is empty").format(column=c)
        for c in ("sector_slug", "sector_name", "job_slug", "job_title", "video_slug",
                  "video_title")
        if not row[c]
    ]
    if not ROME_CODE_RE.match(row["rome_code"]):
        problems.append(_("bad ROME code {code!r} (a letter A–N and four digits)")
                        .format(code=row["rome_code"]))
    if not row["duration_seconds"].isdigit() or int(row["duration_seconds"]) <= 0:
        problems.append(_("duration_seconds must be a positive whole number"))
    if not row["min_age"].isdigit():
        problems.append(_("min_age must be a whole number"))
    if row["seated"].lower() not in TRUE_WORDS | FALSE_WORDS:
        problems.append(_("seated must be true or false"))
    return problems


def import_catalogue(session: Session, text: str, *, dry_run: bool = False) -> ImportReport:
    """Check the CSV; unless it has problems or this is a dry run, upsert every row."""
    report = read_catalogue_csv(text)
    if dry_run or not report.ok:
        return report
    sectors = {s.slug: s for s in _upsert(session, report, Sector, report.sectors, _sector_values)}
    _upsert(session, report, Job, report.jobs, lambda r: _job_values(r, sectors))
    session.flush()
    _link_videos(session, report, _upsert(session, report, Video, report.videos, _video_values))
    session.flush()
    return report


def import_catalogue_or_raise(session: Session, text: str) -> ImportReport:
    report = import_catalogue(session, text)
    if not report.ok:
        raise InvalidInput("bad_catalogue", "\n".join(report.problems))
    return report


def _upsert(
    session: Session, report: ImportReport, model: type[Sector | Job | Video],
    rows: dict[str, dict[str, str]], values_of: Callable[[dict[str, str]], dict],
) -> list:
    existing = {o.slug: o for o in session.exec(select(model).where(model.slug.in_(rows)))}
    for slug, row in rows.items():
        values = values_of(row)
        obj = existing.get(slug)
        if obj is None:
            obj = existing[slug] = model(slug=slug, **values)
            report.created += 1
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(obj, key, value)
            report.updated += 1
        session.add(obj)
    session.flush()
    return list(existing.values())


def _sector_values(row: dict[str, str]) -> dict:
    return {"name": row["sector_name"]}


def _job_values(row: dict[str, str], sectors: dict[str, Sector]) -> dict:
    return {"title": row["job_title"], "rome_code": row["rome_code"],
            "sector_id": sectors[row["sector_slug"]].id, "keywords": row["job_keywords"],
            "description": row["job_description"],
            "search_text": fold(" ".join((row["job_title"], row["rome_code"],
                                          row["job_keywords"], sectors[row["sector_slug"]].name)))}


def _video_values(row: dict[str, str]) -> dict:
    return {"title": row["video_title"], "description": row["video_description"],
            "duration_seconds": int(row["duration_seconds"]),
            "languages": row["languages"] or "fr", "min_age": int(row["min_age"]),
            "is_seated": row["seated"].lower() in TRUE_WORDS, "licence": row["licence"],
            "provider": row["provider"],
            "search_text": fold(" ".join((row["video_title"], row["video_description"])))}


def _link_videos(session: Session, report: ImportReport, videos: Iterable[Video]) -> None:
    video_ids = {v.slug: v.id for v in videos}
    job_ids = dict(session.exec(select(Job.slug, Job.id).where(Job.slug.in_(report.jobs))).all())
    linked = set(session.exec(select(VideoJob.video_id, VideoJob.job_id)).all())
    for video_slug, job_slug in sorted(report.pairs):
        key = (video_ids[video_slug], job_ids[job_slug])
        if key not in linked:
            session.add(VideoJob(video_id=key[0], job_id=key[1]))
            report.created += 1
