"""An administrator adds an associated centre and a facilitator for it, in a real browser;
the facilitator receives the e-mail through a real SMTP server and signs in with its link."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from factories import ADMIN, PASSWORD, serious_violations
from vr_booking.models import utcnow
from vr_booking.services.mail import deliver_outbox

pytestmark = pytest.mark.browser
NEW_PASSWORD = "cobalt harbour tulip"


@pytest.fixture
def admin_server(make_centre, make_staff, live_server):
    make_centre("marseille", name="Cité des métiers de Marseille", kind="hub")
    make_staff(ADMIN, role="admin")
    return live_server


def _sign_in(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/staff/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/staff$"))


def test_admin_adds_a_centre_and_a_facilitator_who_signs_in_from_the_email(
        page: Page, browser: Browser, admin_server, engine, settings, smtp_inbox):
    inbox, port = smtp_inbox, smtp_inbox.port
    url = admin_server.url
    _sign_in(page, url, ADMIN, PASSWORD)
    page.get_by_role("link", name="Administration").first.click()
    page.get_by_role("link", name="Centres").click()
    page.get_by_role("link", name="Ajouter un centre").click()
    page.get_by_label("Nom", exact=True).fill("Centre associé de Briançon")
    page.get_by_label("Nom court dans les adresses (slug)").fill("briancon")
    page.get_by_label("Tête de réseau de rattachement (centres associés)").select_option(
        "marseille")
    page.get_by_label("Ville").fill("Briançon")
    page.get_by_label("Informations pratiques pour les visiteurs").fill("Entrée par la cour.")
    page.get_by_role("button", name="Créer le centre").click()
    expect(page.get_by_role("status")).to_contain_text("Le centre est créé")

    page.goto(f"{url}/staff/admin/staff/new")
    page.get_by_label("Adresse e-mail").fill("nadia@example.org")
    page.get_by_label("Nom", exact=True).fill("Nadia")
    page.get_by_label("Rôle").select_option("facilitator")
    page.get_by_label("Centre associé de Briançon").check()
    page.get_by_role("button", name="Créer le compte et envoyer le lien").click()
    expect(page.get_by_role("status")).to_contain_text("Le compte est créé")

    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    assert deliver_outbox(engine, settings, utcnow()) == 1
    link = inbox.link("nadia@example.org")
    assert link.startswith(url)

    nadia = browser.new_context(locale="fr-FR").new_page()
    nadia.goto(link)
    nadia.get_by_label("Nouveau mot de passe").fill(NEW_PASSWORD)
    nadia.get_by_label("Le même mot de passe, à nouveau").fill(NEW_PASSWORD)
    nadia.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(nadia.get_by_role("status")).to_contain_text("Votre mot de passe est enregistré")
    nadia.get_by_role("link", name="Se connecter").last.click()
    nadia.get_by_label("Adresse e-mail").fill("nadia@example.org")
    nadia.get_by_label("Mot de passe").fill(NEW_PASSWORD)
    nadia.get_by_role("button", name="Se connecter").click()
    expect(nadia).to_have_url(re.compile(r"/staff$"))
    expect(nadia.get_by_role("main")).to_contain_text("Centre associé de Briançon")
    nadia.goto(link)
    expect(nadia.get_by_role("alert")).to_contain_text("ne fonctionne plus")


def test_the_administration_pages_pass_axe(page: Page, admin_server):
    _sign_in(page, admin_server.url, ADMIN, PASSWORD)
    for path in ("/staff/admin", "/staff/admin/staff", "/staff/admin/staff/new",
                 "/staff/admin/staff/1", "/staff/admin/centres", "/staff/admin/centres/new",
                 "/staff/admin/centres/marseille", "/staff/admin/audit", "/staff/tokens",
                 "/staff/password/forgot"):
        page.goto(admin_server.url + path)
        assert serious_violations(page) == [], path
