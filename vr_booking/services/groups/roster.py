"""A group's roster: participants named by a first name or a code, never an e-mail, each
with an optional age band; added one by one or from a CSV file (checked first, then
written all or nothing).

Minors (field rule 1): a roster with anyone under 18 needs the session's accompanying adult
and the holder of the parental authorisations recorded first; children under 13 may be on
it (they come with their class) but never wear a headset (see :mod:`.rotation`).
"""

import csv
import io
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from vr_booking.config import settings_for
from vr_booking.db import lock_centres
from vr_booking.i18n import _
from vr_booking.models import (
    CHILD_AGE_BAND,
    MINOR_AGE_BANDS,
    AgeBand,
    Centre,
    HeadsetUse,
    Participant,
    SessionStatus,
    StaffUser,
    VRSession,
)
from vr_booking.services.audit import record
from vr_booking.services.errors import Conflict, InvalidInput, NotFound
from vr_booking.services.search import fold

ROSTER_BANDS = (CHILD_AGE_BAND, *(band.value for band in AgeBand))
MAX_PARTICIPANTS = 500
MAX_FILE_BYTES = 100 * 1024
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,11}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
HEADERS = {"name": "name", "nom": "name", "prenom": "name", "first_name": "name",
           "firstname": "name", "code": "code", "age_band": "age_band", "age": "age_band",
           "tranche": "age_band", "tranche_d_age": "age_band", "tranche_age": "age_band"}


@dataclass
class RosterRow:
    line: int | None  # the file's line, None when typed in a form or sent to the API
    name: str
    code: str
    age_band: str


@dataclass
class RosterReport:
    """What adding these rows would do (a dry run), or why nothing can be added."""

    rows: list[RosterRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def children(self) -> int:
        return sum(1 for r in self.rows if r.age_band == CHILD_AGE_BAND)


def check_rows(session: Session, group: VRSession, rows: Iterable[Mapping[str, object]],
               lines: Iterable[int | None] | None = None) -> RosterReport:
    """Check rows of ``name``, ``code`` and ``age_band`` for this group; nothing is written."""
    report, codes = RosterReport(), set()
    for raw, line in zip(rows, lines or iter(lambda: None, 0), strict=False):
        row = RosterRow(line, *(_clean(raw.get(k)) for k in ("name", "code", "age_band")))
        row.code, row.age_band = row.code.upper(), _band(row.age_band)
        report.problems += [_at(line, p) for p in _row_problems(row, codes)]
        codes.add(row.code)
        report.rows.append(row)
    if not report.rows:
        report.problems.append(_("There is nobody to add."))
    report.problems += _group_problems(session, group, report)
    return report


def _clean(value: object) -> str:
    return str(value or "").replace("\x00", "").strip()


def _band(text: str) -> str:
    text = text.replace("–", "-").replace(" ", "")
    return CHILD_AGE_BAND if text in {"<13", "-13"} else text


def _at(line: int | None, problem: str) -> str:
    return problem if line is None else _("Line {n}: {problem}").format(n=line, problem=problem)


def _row_problems(row: RosterRow, codes: set[str]) -> list[str]:
    problems = []
    if not row.name and not row.code:
        problems.append(_("give a first name or a code."))
    if "@" in row.name or "@" in row.code:
        problems.append(_("no e-mail addresses on a roster: a first name or a code is "
                          "enough."))
    if len(row.name) > 80:
        problems.append(_("a name is limited to 80 characters."))
    if row.code and not CODE_RE.match(row.code):
        problems.append(_("a code has 1 to 12 letters, digits or hyphens."))
    elif row.code and row.code in codes:
        problems.append(_("the code {code} appears twice.").format(code=row.code))
    if row.age_band not in {"", *ROSTER_BANDS}:
        problems.append(_("the age band is one of {bands}, or empty.").format(
            bands=", ".join(ROSTER_BANDS)))
    return problems


def _group_problems(session: Session, group: VRSession, report: RosterReport) -> list[str]:
    problems = []
    taken = set(session.exec(select(Participant.code).where(
        col(Participant.code).in_([r.code for r in report.rows if r.code]))))
    if taken:
        problems.append(_("These codes are already used: {codes}.").format(
            codes=", ".join(sorted(taken))))
    if any(r.age_band in MINOR_AGE_BANDS for r in report.rows) and not (
            group.accompanying_adult and group.minors_authorisation_holder):
        problems.append(_("This roster has minors: record the session's accompanying adult "
                          "and who holds the parental authorisations first."))
    present = len(session.exec(select(Participant.id).where(
        Participant.session_id == group.id)).all())
    if present + len(report.rows) > MAX_PARTICIPANTS:
        problems.append(_("A roster has at most {n} participants.").format(n=MAX_PARTICIPANTS))
    return problems


def add_participants(session: Session, actor: StaffUser, group: VRSession,
                     rows: Iterable[Mapping[str, object]],
                     lines: Iterable[int | None] | None = None) -> list[Participant]:
    """Add rows to the roster, all or none (InvalidInput listing every problem)."""
    lock_centres(session, [group.centre_id])
    session.refresh(group)
    if group.status != SessionStatus.planned:
        raise Conflict("not_planned", _("This session is cancelled or closed: its roster can "
                                        "no longer change."))
    report = check_rows(session, group, rows, lines)
    if not report.ok:
        raise InvalidInput("invalid_roster", "\n".join(report.problems),
                           {"participants": "\n".join(report.problems)})
    added = [Participant(session_id=group.id, display_name=r.name,
                         code=r.code or _new_code(session), age_band=r.age_band)
             for r in report.rows]
    session.add_all(added)
    session.flush()
    record(session, actor, "group_session.roster_added", centre_id=group.centre_id,
           subject_type="group_session", subject_id=group.id,
           summary=f"{len(added)} participants added")
    return added


def _new_code(session: Session) -> str:
    """A short code no participant has (the roster's printed codes, typed for feedback)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not session.exec(select(Participant.id).where(Participant.code == code)).first():
            return code


def remove_participant(session: Session, actor: StaffUser, group: VRSession,
                       participant_id: int) -> Participant:
    """Take someone off the roster, unless they came (checked in or wore a headset)."""
    lock_centres(session, [group.centre_id])
    participant = session.get(Participant, participant_id)
    if participant is None or participant.session_id != group.id or participant.is_walk_in:
        raise NotFound("unknown_participant", _("This participant does not exist."))
    used = session.exec(select(HeadsetUse.id).where(
        HeadsetUse.participant_id == participant.id)).first()
    if participant.checked_in_at is not None or used is not None:
        raise Conflict("participant_came", _("This participant came: they stay on the "
                                             "roster."))
    session.delete(participant)
    session.flush()
    record(session, actor, "group_session.roster_removed", centre_id=group.centre_id,
           subject_type="group_session", subject_id=group.id, summary="1 participant removed")
    return participant


# --- CSV ------------------------------------------------------------------------------------

def read_roster_csv(session: Session, group: VRSession,
                    text: str) -> tuple[RosterReport, list[dict], list[int]]:
    """Read a roster file (a header line naming ``name``, ``code``, ``age_band`` columns;
    comma, semicolon or tab): the dry-run report, and the rows with their lines."""
    text = text.lstrip("\ufeff")
    if len(text.encode()) > MAX_FILE_BYTES:
        return RosterReport(problems=[_("The file is larger than 100 KB.")]), [], []
    lines = text.splitlines()
    delimiter = max(",;\t", key=lambda d: lines[0].count(d)) if lines else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [HEADERS.get(re.sub(r"[^a-z]+", "_", fold(h)).strip("_")) for h in next(reader, [])]
    if "name" not in header and "code" not in header:
        return RosterReport(problems=[_("The first line must name the columns: name, code, "
                                        "age_band (name or code at least).")]), [], []
    rows, numbers = [], []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        rows.append({k: v for k, v in zip(header, cells, strict=False) if k})
        numbers.append(reader.line_num)
    return check_rows(session, group, rows, numbers), rows, numbers


def group_qr_url(session: Session, group: VRSession) -> str:
    """What the group's QR code holds: the group on its centre's Today page (facilitators)."""
    slug = session.get(Centre, group.centre_id).slug
    return f"{settings_for(session).base_url}/staff/centres/{slug}/today#group-{group.id}"
