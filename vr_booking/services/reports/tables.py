"""The dashboard's tables, defined once: the page shows them (each chart beside its table),
the CSV exports write them, and the charts are drawn from them.

Column keys are stable (CSV headers); titles and row labels are in the reader's language.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vr_booking.i18n import _
from vr_booking.labels import N_, label
from vr_booking.models import IncidentKind, SessionKind
from vr_booking.services.catalogue.queries import domain_name
from vr_booking.services.reports.dashboard import Dashboard, Figures

PAGE_ROWS = 10  # long rankings show their top rows on the page; the CSV has them all
INCIDENT_LABELS = {IncidentKind.felt_unwell: N_("Felt unwell"), IncidentKind.damage: N_("Damage"),
                   IncidentKind.loss: N_("Loss"), IncidentKind.other: N_("Other")}


@dataclass
class Column:
    key: str
    title: str
    numeric: bool = True


@dataclass
class Chart:
    """A bar chart of one column against the first, over the leading ``rows``."""

    value: int
    unit: str = ""
    rows: int | None = None


@dataclass
class ReportTable:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    chart: Chart | None = None
    page_rows: int | None = None  # None: all rows on the page; 0: only in the CSV
    note: str = ""
    has_total: bool = False  # the last row adds up the others
    count: int | None = None  # the CSV's rows, when the page may be built without them

    @property
    def row_count(self) -> int:
        return len(self.rows) if self.count is None else self.count


def _sessions(d: Dashboard) -> ReportTable:
    rows = [[label(kind), d.total.sessions[kind]] for kind in SessionKind]
    return ReportTable("sessions", _("Sessions held by kind"),
                       [Column("kind", _("Kind"), False), Column("sessions", _("Sessions"))],
                       [*rows, [_("Total"), sum(d.total.sessions.values())]], Chart(1, rows=5),
                       note=_("An open-access session is one slot."), has_total=True)


def _people(d: Dashboard) -> ReportTable:
    p = d.total.people
    rows = [[_("Booked"), p.booked], [_("Checked in"), p.checked_in],
            [_("No-shows"), p.no_show], [_("Walk-ins"), p.walk_ins],
            [_("Group participants"), p.group_participants],
            [_("People served"), p.served], [_("No-show rate (%)"), p.no_show_pct]]
    return ReportTable("people", _("People served"),
                       [Column("figure", _("Figure"), False), Column("value", _("Value"))],
                       rows, Chart(1, rows=5),
                       note=_("People served: checked in, walk-ins and group participants. "
                              "The no-show rate counts booked visitors whose session has "
                              "passed."))


def _survey(d: Dashboard) -> ReportTable:
    a = d.total.answers
    rows = [[_("Learned something about the job(s) watched"), a.learned, a.learned_pct],
            [_("Want to go further"), a.go_further, a.go_further_pct],
            [_("Felt discomfort"), a.discomfort, a.discomfort_pct],
            [_("Answers"), a.answers, None],
            [_("Average rating (0–10)"), a.average_rating, None]]
    return ReportTable("survey", _("Exit survey"),
                       [Column("question", _("Question"), False), Column("yes", _("Yes")),
                        Column("yes_pct", _("Yes (%)"))], rows, Chart(2, "%", rows=3),
                       note=_("Rating given in {n} answer(s).").format(n=a.ratings))


def _usage_row(name: str, usage) -> list[Any]:
    return [name, usage.hours_used, usage.hours_available, usage.pct]


def _usage_columns(first: Column) -> list[Column]:
    return [first, Column("hours_used", _("Hours used")),
            Column("hours_available", _("Hours available")),
            Column("utilisation_pct", _("Utilisation (%)"))]


def _utilisation(d: Dashboard) -> ReportTable:
    rows = [_usage_row(f.centre.name, f.usage) for f in d.centres]
    return ReportTable("utilisation", _("Headset utilisation by centre"),
                       _usage_columns(Column("centre", _("Centre"), False)),
                       [*rows, _usage_row(_("Total"), d.total.usage)],
                       Chart(3, "%", rows=len(rows)), note=_utilisation_note(),
                       has_total=True)


def _utilisation_note() -> str:
    return _("Hours available: the open-access hours held where the headset was (loans "
             "included) and the hours it was reserved for group sessions.")


def _headsets(d: Dashboard) -> ReportTable:
    rows = [_usage_row(h.asset_tag, h) for h in d.headsets]
    single = d.scope.centre is not None
    return ReportTable("headsets", _("Headset utilisation by headset"),
                       _usage_columns(Column("asset_tag", _("Headset"), False)), rows,
                       Chart(3, "%") if single else None, page_rows=None if single else 0,
                       note=_utilisation_note(), count=d.headset_count)


def _watched(key: str, title: str, first: Column, rows: list[list[Any]]) -> ReportTable:
    return ReportTable(key, title, [first, Column("views", _("Views")),
                                    Column("group_screenings", _("Group screenings"))],
                       rows, Chart(1), note=_("Views: one person, one video. Group "
                                              "screenings: a video shown to a group."))


def _sectors(d: Dashboard) -> ReportTable:
    return _watched("sectors", _("Videos watched by sector"), Column("sector", _("Sector"),
                    False), [list(row) for row in d.watched.by_sector])


def _domains(d: Dashboard) -> ReportTable:
    rows = [[f"{letter} — {domain_name(letter)}", v, s] for letter, v, s in d.watched.by_domain]
    return _watched("domains", _("Videos watched by ROME domain"),
                    Column("domain", _("ROME domain"), False), rows)


def _jobs(d: Dashboard) -> ReportTable:
    return ReportTable("jobs", _("Jobs watched"), [
        Column("job", _("Job"), False), Column("rome_code", _("ROME code"), False),
        Column("views", _("Views")), Column("group_screenings", _("Group screenings"))],
        [list(row) for row in d.watched.by_job], page_rows=PAGE_ROWS)


def _interests(d: Dashboard) -> ReportTable:
    return ReportTable("interests", _("Jobs that interested people (survey)"), [
        Column("job", _("Job"), False), Column("rome_code", _("ROME code"), False),
        Column("answers", _("Answers"))], [list(row) for row in d.interests],
        page_rows=PAGE_ROWS)


def _incidents(d: Dashboard) -> ReportTable:
    rows = [[_(INCIDENT_LABELS[kind]), d.total.incidents[kind]] for kind in IncidentKind]
    return ReportTable("incidents", _("Incidents"), [Column("kind", _("Kind"), False),
                                                      Column("incidents", _("Incidents"))],
                       [*rows, [_("Total"), sum(d.total.incidents.values())]],
                       Chart(1, rows=len(rows)), has_total=True)


def centre_row(f: Figures) -> list[Any]:
    p, u, a = f.people, f.usage, f.answers
    return [f.centre.name if f.centre else _("Total"), sum(f.sessions.values()), p.served,
            p.no_show_pct, u.pct, a.answers, a.learned_pct, sum(f.incidents.values())]


def _centres(d: Dashboard) -> ReportTable:
    columns = [Column("centre", _("Centre"), False), Column("sessions", _("Sessions held")),
               Column("people_served", _("People served")),
               Column("no_show_pct", _("No-show rate (%)")),
               Column("utilisation_pct", _("Utilisation (%)")),
               Column("answers", _("Survey answers")),
               Column("learned_pct", _("Learned something (%)")),
               Column("incidents", _("Incidents"))]
    return ReportTable("centres", _("By centre"), columns,
                       [*(centre_row(f) for f in d.centres), centre_row(d.total)],
                       has_total=True)


CENTRE_TABLES: tuple[Callable[[Dashboard], ReportTable], ...] = (
    _sessions, _people, _survey, _headsets, _sectors, _domains, _jobs, _interests, _incidents)
NETWORK_TABLES: tuple[Callable[[Dashboard], ReportTable], ...] = (
    _centres, _sessions, _people, _survey, _utilisation, _headsets, _sectors, _domains, _jobs,
    _interests, _incidents)


def dashboard_tables(dashboard: Dashboard) -> list[ReportTable]:
    """The tables of the dashboard, in the page's order."""
    builders = CENTRE_TABLES if dashboard.scope.centre is not None else NETWORK_TABLES
    return [build(dashboard) for build in builders]


def table_keys(network: bool) -> list[str]:
    """The keys of the tables a dashboard has (the CSV exports' names)."""
    return [build.__name__.lstrip("_") for build in (NETWORK_TABLES if network
                                                      else CENTRE_TABLES)]
