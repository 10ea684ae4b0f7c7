"""Chromium under our Content-Security-Policy: the main pages, the staff pages and Swagger UI
run without a single CSP violation (issue 9, item 13)."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from factories import PASSWORD, book
from vr_booking.models import Headset, SessionKind, VRSession, utcnow

pytestmark = pytest.mark.browser

COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || ""));
});
"""


@pytest.fixture
def site(db, demo, make_staff, live_server):
    make_staff("root@example.org", role="admin")
    slot = db.exec(select(VRSession).where(VRSession.kind == SessionKind.open_access,
                                           VRSession.starts_at > utcnow())
                   .order_by(VRSession.starts_at)).first()
    token = book(db, slot, "Ana").token
    tag = db.exec(select(Headset.asset_tag)).first()
    return live_server, {"slot": slot.id, "token": token, "tag": tag}


def _violations(page: Page, messages: list[str]) -> list[str]:
    return [*page.evaluate("window.__csp"), *messages]


def test_main_pages_run_without_csp_violations(page: Page, site):
    server, ids = site
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.add_init_script(COLLECT_VIOLATIONS)
    public = ["/", "/catalogue", f"/book/{ids['slot']}", f"/b/{ids['token']}",
              f"/b/{ids['token']}/change", "/staff/login"]
    staff = ["/staff", "/staff/centres/marseille", "/staff/centres/marseille/today",
             "/staff/headsets", f"/staff/headsets/{ids['tag']}",
             "/staff/centres/marseille/open-access", "/staff/catalogue",
             "/staff/catalogue/import", "/staff/centres/marseille/labels",
             "/staff/centres/marseille/videos"]
    found = {}
    for path in public:
        page.goto(server.url + path)
        found[path] = _violations(page, messages)
    page.goto(server.url + "/staff/login")
    page.get_by_label("Adresse e-mail").fill("root@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace équipe")
    for path in staff:
        page.goto(server.url + path)
        page.wait_for_load_state("networkidle")
        found[path] = _violations(page, messages)
    assert {path: v for path, v in found.items() if v} == {}


def test_swagger_ui_works_under_the_policy(page: Page, site):
    server, _ids = site
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(server.url + "/docs")
    # the server builds the OpenAPI document on its first request: seconds on a busy machine
    expect(page.get_by_text("/api/v1/centres").first).to_be_visible(timeout=30_000)
    page.get_by_text("/api/v1/centres").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table td.response-col_status").last).to_have_text("200")
    assert _violations(page, messages) == []
