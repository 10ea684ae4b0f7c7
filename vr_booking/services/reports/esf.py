"""The European Social Fund breakdown: participants of ESF-flagged sessions by gender, age
band, labour-market status and ISCED level, each broken down by gender (field rule 10).

Counted: participants checked in (roster members and walk-ins) at sessions flagged
``esf_reported``, held in the period. Every question is optional: each table counts only the
participants who answered it, "prefers not to say" (``UNDISCLOSED``) being an answer. Age
bands are the recorded ones cut at ``esf_age_boundaries`` (default under 25, 25–54, 55 and
over). One SQL statement: counts per combination of answers.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from sqlmodel import Session, col, func, select

from vr_booking.config import settings_for
from vr_booking.i18n import _
from vr_booking.labels import N_
from vr_booking.models import UNDISCLOSED, AgeBand, Gender, Participant, SessionStatus, VRSession
from vr_booking.services.reports.exports import csv_text, small_cell
from vr_booking.services.reports.scope import Period, Scope, within
from vr_booking.services.reports.tables import Column, ReportTable

NOT_GIVEN = ""
GENDERS = (Gender.female, Gender.male, Gender.non_binary, UNDISCLOSED)
GENDER_LABELS = {Gender.female: N_("Women"), Gender.male: N_("Men"),
                 Gender.non_binary: N_("Non-binary"), UNDISCLOSED: N_("Prefer not to say"),
                 NOT_GIVEN: N_("Gender not given")}
LABOUR_LABELS = {"employed": N_("Employed, including self-employed"),
                 "unemployed": N_("Unemployed"),
                 "long_term_unemployed": N_("Long-term unemployed"),
                 "inactive": N_("Inactive"), "in_education": N_("In education or training")}
ISCED_GROUPS = {**dict.fromkeys(("0", "1", "2", "0-2"), "0-2"),
                **dict.fromkeys(("3", "4", "3-4"), "3-4"),
                **dict.fromkeys(("5", "6", "7", "8", "5-8"), "5-8")}
ISCED_LABELS = {"0-2": N_("ISCED 0–2 (up to lower secondary)"),
                "3-4": N_("ISCED 3–4 (upper secondary, post-secondary)"),
                "5-8": N_("ISCED 5–8 (tertiary)")}


@dataclass
class Breakdown:
    """Per question: answer → gender → participants (only those who answered)."""

    participants: int = 0
    questions: dict[str, dict[str, Counter[str]]] = field(default_factory=dict)


def age_bands(bounds: tuple[int, ...]) -> list[tuple[str, int, int | None]]:
    """(key, first age, first age of the next band) of the report's age bands: "<25",
    "25-54", "55+" for the boundaries (25, 55); "all" without boundaries."""
    edges = [0, *bounds, None]
    bands = []
    for start, end in pairwise(edges):
        if not start:
            key = f"<{end}" if end is not None else "all"
        else:
            key = f"{start}-{end - 1}" if end is not None else f"{start}+"
        bands.append((key, start, end))
    return bands


def _band_of(recorded: str, bands: list[tuple[str, int, int | None]]) -> str:
    """The report band a recorded band (13-17, 18-24, 25-54, 55+) falls in."""
    if recorded in (UNDISCLOSED, NOT_GIVEN):
        return recorded
    start = int(recorded.split("-")[0].rstrip("+"))
    return next(key for key, first, end in bands if first <= start and (end is None or
                                                                          start < end))


def esf_breakdown(session: Session, scope: Scope, period: Period, now: datetime) -> Breakdown:
    """The ESF counts of the scope's participants in the period."""
    bands = age_bands(settings_for(session).esf_age_bounds)
    rows = session.exec(
        select(Participant.gender, Participant.age_band, Participant.labour_status,
               Participant.isced_level, func.count())
        .join(VRSession, col(VRSession.id) == Participant.session_id)
        .where(col(VRSession.esf_reported), VRSession.status != SessionStatus.cancelled,
               VRSession.starts_at < now, col(Participant.checked_in_at).is_not(None),
               within(VRSession.starts_at, VRSession.centre_id, scope, period))
        .group_by(Participant.gender, Participant.age_band, Participant.labour_status,
                  Participant.isced_level)
    ).all()
    result = Breakdown(questions={q: {} for q in ("gender", "age", "labour", "isced")})
    known_ages = {band.value for band in AgeBand}
    for gender, age, labour, isced, n in rows:
        result.participants += n
        gender = gender if gender in GENDERS else NOT_GIVEN
        answers = {"gender": gender if gender != NOT_GIVEN else None,
                   "age": _band_of(age, bands) if age in known_ages | {UNDISCLOSED} else None,
                   "labour": labour.strip() or None,
                   "isced": ISCED_GROUPS.get(isced.strip(), isced.strip()) or None}
        for question, answer in answers.items():
            if answer is not None:
                result.questions[question].setdefault(answer, Counter())[gender] += n
    return result


def _answer_label(question: str, answer: str) -> str:
    if answer == UNDISCLOSED:
        return _("Prefer not to say")
    if question == "gender":
        return _(GENDER_LABELS[answer])
    if question == "labour":
        return _(LABOUR_LABELS[answer]) if answer in LABOUR_LABELS else answer
    if question == "isced":
        return _(ISCED_LABELS[answer]) if answer in ISCED_LABELS else answer
    if answer == "all":
        return _("All ages")
    if answer.startswith("<"):
        return _("Under {age}").format(age=answer[1:])
    if answer.endswith("+"):
        return _("{age} and over").format(age=answer[:-1])
    return answer.replace("-", "–")


def _order(question: str, answers: dict[str, Counter[str]], bounds: tuple[int, ...]) -> list:
    known = {"gender": list(GENDERS), "labour": list(LABOUR_LABELS),
             "isced": list(ISCED_LABELS),
             "age": [key for key, _s, _e in age_bands(bounds)]}[question]
    known.append(UNDISCLOSED)
    return sorted(answers, key=lambda a: (known.index(a) if a in known else len(known), a))


QUESTION_TITLES = {"gender": N_("Participants by gender"), "age": N_("By age band and gender"),
                   "labour": N_("By labour-market status and gender"),
                   "isced": N_("By education level (ISCED) and gender")}


def esf_tables(breakdown: Breakdown, bounds: tuple[int, ...],
               threshold: int | None = None) -> list[ReportTable]:
    """The breakdown as tables: answers in rows, genders in columns, then the total; with
    ``threshold``, small counts are hidden (the breakdown goes outside)."""
    tables = []
    for question, answers in breakdown.questions.items():
        genders = [] if question == "gender" else [*GENDERS, NOT_GIVEN]
        columns = [Column("answer", _("Answer"), False),
                   *(Column(g or "gender_not_given", _(GENDER_LABELS[g])) for g in genders),
                   Column("total", _("Total"))]
        rows = [[_answer_label(question, answer), *(answers[answer][g] for g in genders),
                 sum(answers[answer].values())] for answer in _order(question, answers, bounds)]
        rows.append([_("Answered"), *(sum(answers[a][g] for a in answers) for g in genders),
                     sum(sum(c.values()) for c in answers.values())])
        if threshold is not None:
            rows = [[row[0], *(small_cell(v, threshold) for v in row[1:])] for row in rows]
        tables.append(ReportTable(question, _(QUESTION_TITLES[question]), columns, rows,
                                  has_total=True))
    return tables


def esf_csv(tables: list[ReportTable]) -> str:
    """The breakdown in one CSV for the funder: a row per answer, a column per gender."""
    genders = [g or "gender_not_given" for g in (*GENDERS, NOT_GIVEN)]
    rows = []
    for table in tables:
        keys = [column.key for column in table.columns]
        for row in table.rows:
            cells = dict(zip(keys, row, strict=True))
            rows.append([table.key, cells["answer"], *(cells.get(g, "") for g in genders),
                         cells["total"]])
    return csv_text(["question", "answer", *genders, "total"], rows)
