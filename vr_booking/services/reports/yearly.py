"""The yearly activity report of a centre, for the label's renewal: sessions held and people
served, by month (cut in the centre's zone) and by kind of session. It goes outside, so its
exports follow the small-cell rule (``exports.small_cell``).

People served by kind: open access counts checked-in visitors and walk-ins; the other kinds
count their group participants (see ``activity``).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import get_month_names
from sqlmodel import Session

from vr_booking.i18n import _, current_language
from vr_booking.labels import label
from vr_booking.models import Centre, SessionKind, StaffUser, VRSession
from vr_booking.services.errors import InvalidInput
from vr_booking.services.reports.activity import people_served, sessions_by_kind
from vr_booking.services.reports.charts import column_chart
from vr_booking.services.reports.exports import small_cell
from vr_booking.services.reports.scope import (
    Period,
    Scope,
    month_bounds,
    month_of,
    report_scope,
    scope_today,
)
from vr_booking.services.reports.tables import Column, ReportTable

MONTHS = range(1, 13)


@dataclass
class YearReport:
    centre: Centre
    year: int
    sessions: dict[int, Counter[str]]  # month → kind → sessions held
    people: dict[int, Counter[str]]  # month → kind → people served

    def people_by_month(self) -> list[int]:
        return [sum(self.people[month].values()) for month in MONTHS]


def people_chart(report: YearReport, threshold: int) -> str:
    """Columns of people served by month; a small count is drawn at the threshold's height
    and labelled "<threshold", like the tables."""
    columns = []
    for name, value in zip(month_names("abbreviated"), report.people_by_month(), strict=True):
        shown = small_cell(value, threshold)
        columns.append((name, threshold if shown != value else value, str(shown),
                        shown != value))
    return column_chart(columns)


def report_centre_year(session: Session, user: StaffUser, slug: str, year: int | None,
                       now: datetime) -> tuple[Centre, int]:
    """The centre (managed by ``user``) and the year of a yearly report (this year by
    default), or field errors."""
    scope = report_scope(session, user, slug or None)
    if scope.centre is None:
        message = _("Choose a centre: the yearly report is per centre.")
        raise InvalidInput("centre_required", message, {"centre": message})
    year = year or scope_today(scope, now).year
    if not 2000 <= year <= 2100:
        message = _("Choose a year between 2000 and 2100.")
        raise InvalidInput("invalid_year", message, {"year": message})
    return scope.centre, year


def yearly_report(session: Session, centre: Centre, year: int, now: datetime) -> YearReport:
    """Counts by month and kind for ``centre`` in ``year`` (four SQL statements)."""
    scope, period = Scope([centre], centre), Period(date(year, 1, 1), date(year, 12, 31))
    month = month_of(VRSession.starts_at, month_bounds(year, centre.timezone))
    sessions = sessions_by_kind(session, scope, period, now, by=month)
    people = people_served(session, scope, period, now, by=month)
    served: dict[int, Counter[str]] = {m: Counter() for m in MONTHS}
    for m, counts in people.items():
        served[m].update({SessionKind.open_access: counts.checked_in + counts.walk_ins,
                          **counts.groups})
        served[m] = +served[m]  # no zero entries
    return YearReport(centre, year, {m: sessions.get(m, Counter()) for m in MONTHS}, served)


def month_names(width: str = "wide") -> list[str]:
    names = get_month_names(width, context="stand-alone", locale=current_language.get())
    return [names[m].capitalize() for m in MONTHS]


def _table(key: str, title: str, counts: dict[int, Counter[str]],
           threshold: int | None) -> ReportTable:
    def shown(value: int) -> object:
        return value if threshold is None else small_cell(value, threshold)

    columns = [Column("month", _("Month"), False),
               *(Column(str(kind), label(kind)) for kind in SessionKind),
               Column("total", _("Total"))]
    rows = [[name, *(shown(counts[m][kind]) for kind in SessionKind),
             shown(sum(counts[m].values()))] for m, name in zip(MONTHS, month_names(),
                                                                  strict=True)]
    year = Counter()
    for m in MONTHS:
        year.update(counts[m])
    rows.append([_("Year"), *(shown(year[kind]) for kind in SessionKind),
                 shown(sum(year.values()))])
    return ReportTable(key, title, columns, rows, has_total=True)


def year_tables(report: YearReport, threshold: int | None) -> list[ReportTable]:
    """The report's two tables; with ``threshold``, small counts are hidden."""
    return [_table("sessions", _("Sessions held by month and kind"), report.sessions,
                   threshold),
            _table("people", _("People served by month and kind"), report.people, threshold)]
