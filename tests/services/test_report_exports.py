"""The yearly activity report (months cut in the centre's zone), the ESF breakdown, the
small-cell rule and the CSV exports, on the fixed data set of ``factories.report_data``."""

import csv
import io
from datetime import date

import pytest
from pydantic import ValidationError

from factories import REPORT_NOW, report_data
from vr_booking.config import Settings
from vr_booking.services.reports.dashboard import build_dashboard
from vr_booking.services.reports.esf import age_bands, esf_breakdown, esf_tables
from vr_booking.services.reports.exports import csv_text, small_cell, table_csv
from vr_booking.services.reports.scope import Period, Scope
from vr_booking.services.reports.tables import dashboard_tables, table_keys
from vr_booking.services.reports.yearly import people_chart, year_tables, yearly_report

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def data(db, english):
    return report_data(db)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_yearly_report_counts_by_local_month_and_kind(db, data):
    report = yearly_report(db, data.marseille, 2026, REPORT_NOW)
    # The event starting 31 January 23:30 UTC is on 1 February in Marseille.
    assert sum(report.sessions[1].values()) == 0
    assert dict(report.sessions[2]) == {"discovery_event": 1}
    assert dict(report.people[2]) == {"discovery_event": 12}
    assert dict(report.sessions[3]) == {"open_access": 3, "workshop": 1, "group_visit": 1}
    assert dict(report.people[3]) == {"open_access": 6, "workshop": 8, "group_visit": 3}
    assert all(sum(report.sessions[m].values()) == 0 for m in range(4, 13))


def test_yearly_report_in_the_pacific(db, data):
    noumea = yearly_report(db, data.noumea, 2026, REPORT_NOW)
    tahiti = yearly_report(db, data.tahiti, 2026, REPORT_NOW)
    assert dict(noumea.sessions[3]) == {"workshop": 1}  # 28 Feb 14:00 UTC, 1 March there
    assert dict(tahiti.sessions[2]) == {"workshop": 1}  # 1 March 05:00 UTC, 28 Feb there


def test_small_cells_show_as_less_than_the_threshold(db, data):
    report = yearly_report(db, data.marseille, 2026, REPORT_NOW)
    sessions, people = year_tables(report, threshold=5)
    march_sessions, march_people = sessions.rows[2], people.rows[2]
    kinds = [c.key for c in sessions.columns]
    assert kinds == ["month", "open_access", "workshop", "group_visit", "discovery_event",
                     "external_forum", "total"]
    assert march_sessions[1:] == ["<5", "<5", "<5", 0, 0, 5]
    assert march_people[1:] == [6, 8, "<5", 0, 0, 17]
    assert sessions.rows[-1][1:] == ["<5", "<5", "<5", "<5", 0, 6]  # the year
    exact = year_tables(report, threshold=None)[0]
    assert exact.rows[2][1:] == [3, 1, 1, 0, 0, 5]


def test_the_threshold_is_a_setting(db, data):
    report = yearly_report(db, data.marseille, 2026, REPORT_NOW)
    people = year_tables(report, threshold=10)[1]
    assert people.rows[2][1:] == ["<10", "<10", "<10", 0, 0, 17]
    assert small_cell(0, 5) == 0
    assert small_cell(4, 5) == "<5"
    assert small_cell(5, 5) == 5
    assert small_cell(True, 5) is True
    assert small_cell(2.5, 5) == 2.5


def test_the_yearly_chart_hides_small_counts_too(db, data):
    svg = people_chart(yearly_report(db, data.marseille, 2026, REPORT_NOW), 5)
    assert ">12<" in svg
    assert ">17<" in svg
    assert ">3<" not in svg


def test_esf_breakdown_counts_only_answers(db, data):
    breakdown = esf_breakdown(db, Scope([data.marseille], data.marseille), MARCH, REPORT_NOW)
    assert breakdown.participants == 5  # the absent one and the group visit are left out
    q = breakdown.questions
    assert {k: dict(v) for k, v in q["gender"].items()} == {
        "female": {"female": 2}, "male": {"male": 1}, "prefer_not": {"prefer_not": 1}}
    assert {k: dict(v) for k, v in q["age"].items()} == {
        "<25": {"female": 1, "male": 1}, "25-54": {"female": 1, "": 1},
        "55+": {"prefer_not": 1}}
    assert {k: dict(v) for k, v in q["labour"].items()} == {
        "in_education": {"female": 1}, "unemployed": {"male": 1, "female": 1},
        "employed": {"": 1}}
    assert {k: dict(v) for k, v in q["isced"].items()} == {
        "0-2": {"female": 1}, "3-4": {"male": 1}, "5-8": {"female": 1},
        "prefer_not": {"prefer_not": 1}}


def test_esf_age_bands_follow_the_setting(db, data):
    db.info["settings"] = Settings(database_url="sqlite://", secret_key="x",
                                   esf_age_boundaries="18,25")
    breakdown = esf_breakdown(db, Scope([data.marseille], data.marseille), MARCH, REPORT_NOW)
    assert {k: sum(v.values()) for k, v in breakdown.questions["age"].items()} == {
        "<18": 1, "18-24": 1, "25+": 3}
    assert [key for key, _start, _end in age_bands(())] == ["all"]


@pytest.mark.parametrize("boundaries", ["30", "55,25", "25;55", "２５"])
def test_esf_age_boundaries_must_cut_the_recorded_bands(boundaries):
    with pytest.raises(ValidationError):
        Settings(database_url="sqlite://", secret_key="x", esf_age_boundaries=boundaries)
    assert Settings(database_url="sqlite://", secret_key="x",
                    esf_age_boundaries=" 18, 55 ").esf_age_bounds == (18, 55)


def test_esf_tables_have_gender_columns_and_the_answered_total(db, data):
    breakdown = esf_breakdown(db, Scope([data.marseille], data.marseille), MARCH, REPORT_NOW)
    gender, age, _labour, _isced = esf_tables(breakdown, (25, 55))
    assert gender.rows == [["Women", 2], ["Men", 1], ["Prefer not to say", 1], ["Answered", 4]]
    assert [c.key for c in age.columns] == ["answer", "female", "male", "non_binary",
                                            "prefer_not", "gender_not_given", "total"]
    assert age.rows == [["Under 25", 1, 1, 0, 0, 0, 2], ["25–54", 1, 0, 0, 0, 1, 2],
                        ["55 and over", 0, 0, 0, 1, 0, 1], ["Answered", 2, 1, 0, 1, 1, 5]]


def test_every_dashboard_table_parses_back_from_csv(db, data):
    dashboard = build_dashboard(db, Scope([data.marseille, data.gap]), MARCH, REPORT_NOW)
    tables = dashboard_tables(dashboard)
    assert [t.key for t in tables] == table_keys(network=True)
    for table in tables:
        text = table_csv(table)
        assert next(csv.reader(io.StringIO(text))) == [c.key for c in table.columns]
        rows = _rows(text)
        assert len(rows) == len(table.rows)
        for parsed, row in zip(rows, table.rows, strict=True):
            assert list(parsed.values()) == ["" if v is None else str(v) for v in row]
    people = {row["figure"]: row["value"] for row in _rows(table_csv(tables[2]))}
    assert people["Booked"] == "7"
    assert people["No-show rate (%)"] == "33.3"


def test_csv_cells_never_start_a_formula():
    text = csv_text(["comment"], [["=HYPERLINK(\"x\")"], ["-2"], ["ok"], [None]])
    assert [row["comment"] for row in _rows(text)] == ["'=HYPERLINK(\"x\")", "'-2", "ok", ""]
