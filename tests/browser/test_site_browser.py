"""A real browser (Debian's Chromium through Playwright) against a running server."""

import re

import pytest
from playwright.sync_api import Page, expect

from factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded_server(demo, make_staff, live_server):
    make_staff("camille@example.org", role="manager", centres=("marseille",))
    return live_server


def test_home_page_then_staff_sign_in(page: Page, seeded_server):
    page.goto(seeded_server.url + "/")
    expect(page).to_have_title(re.compile("vr-booking"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("réalité virtuelle")
    expect(page.get_by_role("heading", name="Prochaines séances en accès libre")).to_be_visible()

    page.get_by_role("link", name="Connexion équipe").click()
    page.get_by_label("Adresse e-mail").fill("camille@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Espace équipe")
    page.get_by_role("link", name="Cité des métiers de Marseille").click()
    expect(page.get_by_role("rowheader", name="MRS-VR-01")).to_be_visible()


def test_skip_link_reaches_the_main_content_by_keyboard(page: Page, seeded_server):
    page.goto(seeded_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_docs_page_renders_the_api(page: Page, seeded_server):
    page.goto(seeded_server.url + "/docs")
    expect(page.get_by_text("/api/v1/centres").first).to_be_visible()


@pytest.fixture
def bookable_server(make_open_access, live_server):
    make_open_access(headsets=2)
    return live_server


def test_visitor_books_sees_the_ticket_and_cancels(page: Page, bookable_server):
    page.goto(bookable_server.url + "/")
    page.get_by_role("link", name=re.compile("^Réserver .*, 14:00")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réserver une place")

    page.get_by_role("button", name="Réserver ma place").click()  # empty form: errors
    expect(page.locator("#form-errors")).to_be_focused()  # the summary, read first
    expect(page).to_have_title(re.compile("^Erreur : Réserver une place"))
    expect(page.locator("#name-error")).to_be_visible()
    expect(page.get_by_label("Prénom ou pseudo")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Prénom ou pseudo").fill("Nora")
    page.get_by_label("J'ai 13 ans ou plus").check()
    page.get_by_label("J'ai lu l'avertissement de santé").check()
    page.get_by_role("button", name="Réserver ma place").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre billet")
    expect(page.get_by_text("Confirmée")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR"))).to_be_visible()
    code = page.locator(".code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)

    page.get_by_role("link", name="Annuler ma réservation…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuler votre réservation ?")
    page.get_by_role("button", name="Oui, annuler ma réservation").click()
    expect(page.get_by_role("status")).to_contain_text("annulée")
    expect(page.get_by_role("link", name="Annuler ma réservation…")).to_have_count(0)
