"""Reports for managers: the dashboard (a centre or all their centres, for a period), its CSV
exports, the yearly activity report for the label, the ESF breakdown, the survey poster."""

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import Response

from vr_booking.config import settings_for
from vr_booking.i18n import _
from vr_booking.models import utcnow
from vr_booking.services.access import require_centre
from vr_booking.services.errors import InvalidInput, NotFound
from vr_booking.services.reports.charts import table_chart
from vr_booking.services.reports.dashboard import build_dashboard
from vr_booking.services.reports.esf import esf_breakdown, esf_csv, esf_tables
from vr_booking.services.reports.exports import figures_csv, table_csv
from vr_booking.services.reports.scope import (
    Scope,
    period_shortcuts,
    report_scope,
    scope_and_period,
    scope_today,
)
from vr_booking.services.reports.survey import poster_url
from vr_booking.services.reports.tables import dashboard_tables, table_keys
from vr_booking.services.reports.yearly import (
    people_chart,
    report_centre_year,
    year_tables,
    yearly_report,
)
from vr_booking.web.deps import CurrentStaff, SessionDep
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(prefix="/staff", include_in_schema=False)
CentreSlug = Annotated[str, Query(max_length=40, description="centre slug; empty: all")]
From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query()]
Year = Annotated[int | None, Query(ge=1, le=9999)]


def csv_response(text: str, filename: str) -> Response:
    """A CSV download (with a byte-order mark, so that spreadsheets read it as UTF-8)."""
    return Response("\ufeff" + text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _name(scope: Scope) -> str:
    return scope.centre.slug if scope.centre else "network"


def _filters(session: SessionDep, staff: CurrentStaff, centre: str, first: date | None,
             last: date | None) -> dict:
    """What the filter form shows: the centres to choose from and the period asked for."""
    network = report_scope(session, staff, None)
    today = scope_today(network, utcnow())
    return {"staff": staff, "centres": network.centres, "centre_slug": centre,
            "network_scope": network,
            "values": {"from": first.isoformat() if first else "",
                       "to": last.isoformat() if last else ""},
            "shortcuts": period_shortcuts(today)}


@router.get("/reports", name="reports")
def reports(request: Request, session: SessionDep, staff: CurrentStaff, centre: CentreSlug = "",
            from_: From = None, to: To = None):
    context = _filters(session, staff, centre, from_, to)
    try:
        scope, period = scope_and_period(session, staff, centre, from_, to, utcnow(),
                                         context["network_scope"])
    except InvalidInput as error:
        return render(request, "pages/report_dashboard.html",
                      {**context, "errors": error.fields}, status_code=422)
    # A network's page shows how many headsets have a row, not the rows (its CSV has them).
    dashboard = build_dashboard(session, scope, period, utcnow(), headsets=scope.centre is not None)
    tables = dashboard_tables(dashboard)
    return render(request, "pages/report_dashboard.html", {
        **context, **_period_values(centre, period), "errors": {}, "dashboard": dashboard,
        "tables": tables, "charts": {t.key: table_chart(t) for t in tables}})


def _period_values(centre: str, period) -> dict:
    """The period as the form shows it and as the export links pass it on."""
    values = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    return {"values": values, "query": urlencode({"centre": centre, **values})}


@router.get("/reports/figures.csv", name="report_figures_csv")
def report_figures_csv(session: SessionDep, staff: CurrentStaff, centre: CentreSlug = "",
                       from_: From = None, to: To = None) -> Response:
    scope, period = scope_and_period(session, staff, centre, from_, to, utcnow())
    dashboard = build_dashboard(session, scope, period, utcnow(), headsets=False)
    return csv_response(figures_csv(dashboard),
                        f"figures-{_name(scope)}-{period.first}-{period.last}.csv")


@router.get("/reports/esf", name="report_esf")
def report_esf(request: Request, session: SessionDep, staff: CurrentStaff,
               centre: CentreSlug = "", from_: From = None, to: To = None):
    context = _filters(session, staff, centre, from_, to)
    try:
        scope, period = scope_and_period(session, staff, centre, from_, to, utcnow(),
                                         context["network_scope"])
    except InvalidInput as error:
        return render(request, "pages/report_esf.html", {**context, "errors": error.fields},
                      status_code=422)
    breakdown = esf_breakdown(session, scope, period, utcnow())
    settings = settings_for(session)
    return render(request, "pages/report_esf.html", {
        **context, **_period_values(centre, period), "errors": {}, "scope": scope,
        "period": period, "breakdown": breakdown,
        "tables": esf_tables(breakdown, settings.esf_age_bounds,
                             settings.report_small_cell_threshold),
        "threshold": settings.report_small_cell_threshold})


@router.get("/reports/esf.csv", name="report_esf_csv")
def report_esf_csv(session: SessionDep, staff: CurrentStaff, centre: CentreSlug = "",
                   from_: From = None, to: To = None) -> Response:
    scope, period = scope_and_period(session, staff, centre, from_, to, utcnow())
    settings = settings_for(session)
    tables = esf_tables(esf_breakdown(session, scope, period, utcnow()),
                        settings.esf_age_bounds, settings.report_small_cell_threshold)
    return csv_response(esf_csv(tables),
                        f"esf-{_name(scope)}-{period.first}-{period.last}.csv")


@router.get("/reports/year", name="report_year")
def report_year(request: Request, session: SessionDep, staff: CurrentStaff,
                centre: CentreSlug = "", year: Year = None):
    found, year = report_centre_year(session, staff, centre, year, utcnow())
    report = yearly_report(session, found, year, utcnow())
    threshold = settings_for(session).report_small_cell_threshold
    return render(request, "pages/report_year.html", {
        "staff": staff, "centre": found, "year": year, "threshold": threshold,
        "tables": year_tables(report, threshold), "chart": people_chart(report, threshold)})


@router.get("/reports/year/{table}.csv", name="report_year_csv")
def report_year_csv(table: str, session: SessionDep, staff: CurrentStaff,
                    centre: CentreSlug = "", year: Year = None) -> Response:
    found, year = report_centre_year(session, staff, centre, year, utcnow())
    threshold = settings_for(session).report_small_cell_threshold
    tables = {t.key: t for t in year_tables(yearly_report(session, found, year, utcnow()),
                                            threshold)}
    if table not in tables:
        raise _unknown_table()
    return csv_response(table_csv(tables[table]), f"activity-{found.slug}-{year}-{table}.csv")


def _unknown_table() -> NotFound:
    return NotFound("unknown_table", _("This report has no such table."))


@router.get("/reports/{table}.csv", name="report_csv")
def report_csv(table: str, session: SessionDep, staff: CurrentStaff, centre: CentreSlug = "",
               from_: From = None, to: To = None) -> Response:
    scope, period = scope_and_period(session, staff, centre, from_, to, utcnow())
    if table not in table_keys(network=scope.centre is None):
        raise _unknown_table()
    dashboard = build_dashboard(session, scope, period, utcnow(), headsets=table == "headsets")
    found = next(t for t in dashboard_tables(dashboard) if t.key == table)
    return csv_response(table_csv(found),
                        f"{table}-{_name(scope)}-{period.first}-{period.last}.csv")


@router.get("/centres/{slug}/survey-poster", name="survey_poster")
def survey_poster(request: Request, slug: str, session: SessionDep, staff: CurrentStaff):
    centre = require_centre(session, staff, slug)
    return render(request, "pages/survey_poster.html", {
        "staff": staff, "centre": centre, "url": poster_url(session, centre)})
