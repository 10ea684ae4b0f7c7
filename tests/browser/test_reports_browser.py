"""In Chromium: a manager opens the dashboard, reads a chart's table, downloads an export; a
visitor answers the survey on a phone; axe-core finds no serious violation on these pages."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from factories import PASSWORD, report_data, serious_violations

pytestmark = pytest.mark.browser
MARCH = "centre=marseille&from=2026-03-01&to=2026-03-31"


@pytest.fixture
def site(db, make_staff, live_server):
    report_data(db)
    make_staff("camille@example.org", role="manager", centres=("marseille",))
    return live_server


def sign_in(page: Page, url: str, target: str) -> None:
    page.goto(f"{url}/staff/login?next={target}")
    page.get_by_label("Adresse e-mail").fill("camille@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_manager_reads_a_chart_table_and_downloads_it(page: Page, site):
    sign_in(page, site.url, "/staff")
    page.get_by_role("link", name="Rapports").click()
    page.get_by_label("Centre", exact=True).select_option(label="Marseille")
    page.get_by_label("Du").fill("2026-03-01")
    page.get_by_label("Au (inclus)").fill("2026-03-31")
    page.get_by_label("Au (inclus)").press("Enter")  # the keyboard submits the filters
    expect(page).to_have_url(re.compile(r"centre=marseille.*from=2026-03-01"))

    section = page.locator("#section-people")
    expect(section.locator("svg.chart")).to_have_attribute("aria-hidden", "true")
    table = page.get_by_role("table", name="Personnes accueillies")
    absent = table.get_by_role("row", name=re.compile("^Absents"))
    expect(absent.get_by_role("cell")).to_have_text("2")
    expect(table.get_by_role("row", name=re.compile("^Sans réservation"))
           .get_by_role("cell")).to_have_text("3")

    with page.expect_download() as download:
        section.get_by_role("link", name="Télécharger le tableau (CSV)").click()
    saved = download.value
    assert saved.suggested_filename == "people-marseille-2026-03-01-2026-03-31.csv"
    rows = list(csv.DictReader(io.StringIO(saved.path().read_text(encoding="utf-8-sig"))))
    assert {r["figure"]: r["value"] for r in rows}["Absents"] == "2"


def test_report_pages_have_no_serious_violations(page: Page, site):
    sign_in(page, site.url, "/staff")
    found = {}
    for path in (f"/staff/reports?{MARCH}", "/staff/reports?from=2026-03-31&to=2026-03-01",
                 f"/staff/reports/esf?{MARCH}", "/staff/reports/year?centre=marseille&year=2026",
                 "/staff/centres/marseille/survey-poster", "/survey/marseille"):
        page.goto(site.url + path)
        found[path] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_a_visitor_answers_the_poster_survey_on_a_phone(page: Page, site):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{site.url}/survey/marseille")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.get_by_role("alert")).to_contain_text("Merci de répondre par oui ou non")
    assert serious_violations(page) == []
    learned = page.get_by_role("group", name=re.compile("J'ai appris quelque chose"))
    learned.get_by_label("Oui").focus()
    page.keyboard.press("Space")
    page.get_by_role("group", name=re.compile("aller plus loin")).get_by_label("Non").check()
    page.get_by_role("group", name=re.compile("inconfort")).get_by_label("Non").check()
    page.get_by_label("9", exact=True).check()
    page.get_by_label("Un commentaire (facultatif)").fill("Super casque")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.get_by_role("status")).to_contain_text("Vos réponses sont enregistrées")
