"""The reports pages through HTTP, on the fixed month of ``factories.report_data``: who may
read them, the dashboard's tables and charts, the CSV downloads, the yearly report and the ESF
breakdown (small counts hidden), bad periods, the survey poster."""

import csv
import io

import pytest
from sqlmodel import select

from factories import login, report_data
from vr_booking.models import StaffCentre

MARCH = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def data(db, make_staff, time_machine):
    time_machine.move_to("2026-03-20T12:00:00+00:00", tick=False)
    found = report_data(db)
    make_staff("camille@example.org", role="manager", centres=("marseille",))
    return found


@pytest.fixture
def manager(client, data):
    assert login(client, "camille@example.org").status_code == 303
    return client


def _csv(response) -> list[dict[str, str]]:
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))


def test_reports_are_for_managers(client, data, make_staff):
    make_staff("sami@example.org", centres=("marseille",))
    make_staff("lea@example.org", role="manager", centres=("gap",))
    assert client.get("/staff/reports", follow_redirects=False).status_code == 303
    login(client, "sami@example.org")
    assert client.get("/staff/reports?lang=en").status_code == 403
    assert "/staff/reports" not in client.get("/staff?lang=en").text
    login(client, "lea@example.org")  # manages Gap only
    assert client.get(f"/staff/reports?centre=marseille&{MARCH}").status_code == 403
    assert client.get(f"/staff/reports?centre=gap&{MARCH}").status_code == 200


def test_a_manager_without_centres_sees_an_empty_network(client, db, data, make_staff):
    user = make_staff("new@example.org", role="manager", centres=("noumea",))
    for link in db.exec(select(StaffCentre).where(StaffCentre.staff_id == user.id)):
        db.delete(link)  # detached from every centre since
    db.commit()
    login(client, "new@example.org")
    page = client.get(f"/staff/reports?{MARCH}&lang=en")
    assert page.status_code == 200
    assert "All my centres (0)" in page.text


def test_the_centre_dashboard_shows_each_table_with_its_chart(manager):
    page = manager.get(f"/staff/reports?centre=marseille&{MARCH}&lang=en")
    assert page.status_code == 200
    html = page.text
    assert '/staff/reports">Reports</a>' in html  # the navigation entry
    assert "from March 1, 2026 to March 31, 2026" in html
    assert html.count('<svg class="chart"') >= 6
    assert 'aria-hidden="true"' in html
    assert '<th scope="row">No-shows</th><td data-label="Value" class="num">2</td>' in html
    assert '<th scope="row">Felt discomfort</th>' in html
    assert "27.9%" in html  # headset utilisation among the key figures
    assert "Super" in html  # the latest comments
    assert "/staff/reports/year?centre=marseille&amp;year=2026" in html
    assert "/staff/centres/marseille/survey-poster" in html


def test_the_network_dashboard_adds_a_table_by_centre(manager):
    html = manager.get(f"/staff/reports?{MARCH}&lang=en").text
    assert "All my centres (2)" in html  # Marseille and Gap, which its hub leads
    assert '<th scope="row">Gap</th>' in html
    assert "Nouméa" not in html


def test_the_network_dashboard_counts_the_headset_rows_its_csv_has(manager):
    """The network's page counts the headsets without listing them; the CSV lists them."""
    html = manager.get(f"/staff/reports?{MARCH}&lang=en").text
    assert "2 rows: too many for this page." in html  # MRS-VR-01 and the lent MRS-VR-02
    assert "MRS-VR-0" not in html
    rows = _csv(manager.get(f"/staff/reports/headsets.csv?{MARCH}"))
    assert [(r["asset_tag"], r["utilisation_pct"]) for r in rows] == [
        ("MRS-VR-01", "25.0"), ("MRS-VR-02", "63.0")]


def test_every_table_downloads_as_csv(manager):
    for key, rows in (("sessions", 6), ("people", 7), ("survey", 5), ("headsets", 2),
                      ("sectors", 2), ("domains", 2), ("jobs", 3), ("interests", 2),
                      ("incidents", 5)):
        response = manager.get(f"/staff/reports/{key}.csv?centre=marseille&{MARCH}&lang=en")
        assert response.status_code == 200, key
        assert f'filename="{key}-marseille-2026-03-01-2026-03-31.csv"' in response.headers[
            "content-disposition"]
        assert len(_csv(response)) == rows, key
    people = {r["figure"]: r["value"] for r in _csv(manager.get(
        f"/staff/reports/people.csv?centre=marseille&{MARCH}&lang=en"))}
    assert (people["Booked"], people["People served"]) == ("6", "17")
    assert manager.get(f"/staff/reports/nothing.csv?{MARCH}").status_code == 404
    assert manager.get(f"/staff/reports/utilisation.csv?centre=marseille&{MARCH}"
                       ).status_code == 404  # a network table
    assert len(_csv(manager.get(f"/staff/reports/centres.csv?{MARCH}"))) == 3


def test_all_figures_in_one_csv(manager):
    rows = _csv(manager.get(f"/staff/reports/figures.csv?{MARCH}"))
    figures = {(r["centre"], r["figure"]): r["value"] for r in rows}
    assert figures["marseille", "people.booked"] == "6"
    assert figures["gap", "people.checked_in"] == "1"
    assert figures["all", "people.booked"] == "7"
    assert figures["marseille", "survey.learned_pct"] == "80.0"
    assert figures["gap", "survey.learned_pct"] == ""


def test_a_bad_period_is_explained_next_to_its_field(manager):
    page = manager.get("/staff/reports?from=2026-03-31&to=2026-03-01&lang=en")
    assert page.status_code == 422
    assert 'id="to-error"' in page.text
    assert "comes before its start" in page.text
    assert manager.get("/staff/reports?from=1999-12-31&lang=en").status_code == 422
    assert manager.get("/staff/reports?from=2026-02-30").status_code == 422
    assert manager.get("/staff/reports/people.csv?from=2026-01-01&to=2040-01-01"
                       ).status_code == 422


def test_the_yearly_report_hides_small_counts(manager):
    page = manager.get("/staff/reports/year?centre=marseille&year=2026&lang=en")
    assert page.status_code == 200
    assert "Activity report 2026" in page.text
    assert "&lt;5" in page.text
    rows = _csv(manager.get("/staff/reports/year/sessions.csv?centre=marseille&year=2026"))
    march = rows[2]
    assert (march["open_access"], march["workshop"], march["total"]) == ("<5", "<5", "5")
    people = _csv(manager.get("/staff/reports/year/people.csv?centre=marseille&year=2026"))
    assert people[1]["discovery_event"] == "12"  # 1 February in Marseille
    assert manager.get("/staff/reports/year?year=2026").status_code == 422  # no centre
    assert manager.get("/staff/reports/year?centre=marseille&year=1990").status_code == 422


def test_the_esf_breakdown_counts_answers_and_hides_small_counts(manager):
    page = manager.get(f"/staff/reports/esf?centre=marseille&{MARCH}&lang=en")
    assert page.status_code == 200
    assert "5 participants checked in" in page.text
    rows = _csv(manager.get(f"/staff/reports/esf.csv?centre=marseille&{MARCH}&lang=en"))
    assert rows[0] == {"question": "gender", "answer": "Women", "female": "", "male": "",
                       "non_binary": "", "prefer_not": "", "gender_not_given": "",
                       "total": "<5"}
    under_25 = next(r for r in rows if r["question"] == "age" and r["answer"] == "Under 25")
    assert (under_25["female"], under_25["non_binary"], under_25["total"]) == ("<5", "0", "<5")


def test_the_survey_poster_is_printable(manager):
    page = manager.get("/staff/centres/marseille/survey-poster?lang=en")
    assert page.status_code == 200
    assert "http://testserver/survey/marseille" in page.text
    assert '/survey/marseille/qr.svg"' in page.text
