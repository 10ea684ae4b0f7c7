"""Notifications and privacy in Chromium: the entrance screen's live places (and polling
that stops while hidden), its QR code decoded from the screen, a seat offer and an erasure
done with the keyboard alone, and no serious accessibility violation."""

import re
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from factories import PASSWORD, decode_qr, needs_zbarimg, serious_violations, visitor

pytestmark = pytest.mark.browser
REFRESH_MS = 20_000  # Settings.places_refresh_seconds' default
HIDE = ("Object.defineProperty(document, 'visibilityState', {configurable: true, "
        "get: () => '%s'}); document.dispatchEvent(new Event('visibilitychange'));")


@pytest.fixture
def screen(make_open_access, live_server):
    """The hub with 2 headsets and next week's slots, served for real."""
    oa = make_open_access(headsets=2)
    return live_server, oa


def _book(url: str, slot_id: int, name: str) -> dict:
    answer = httpx.post(f"{url}/api/v1/bookings", json={
        "slot_id": slot_id, "name": name, "age_confirmed": True, "health_ack": True})
    assert answer.status_code == 201
    return answer.json()


def test_the_screen_updates_itself_and_stops_polling_while_hidden(page: Page, screen):
    server, oa = screen
    first = oa.slots[0]
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith("/places") else None)
    page.clock.install()
    page.goto(f"{server.url}/centres/hub/places")
    counts = page.locator("#board .places-count")
    expect(counts.first).to_have_text("2 places libres")
    _book(server.url, first.id, "Ana")
    with page.expect_response(re.compile(r"/centres/hub/places$")):
        page.clock.run_for(REFRESH_MS)
    page.clock.run_for(100)  # htmx settles the swap
    expect(counts.first).to_have_text("1 place libre")

    page.evaluate(HIDE % "hidden")
    before = len(polls)
    _book(server.url, first.id, "Ben")
    page.clock.run_for(REFRESH_MS * 10)
    assert len(polls) == before  # hidden: no request at all
    expect(counts.first).to_have_text("1 place libre")

    with page.expect_response(re.compile(r"/centres/hub/places$")):
        page.evaluate(HIDE % "visible")  # shown again: refreshed at once
    page.clock.run_for(100)
    expect(counts.first).to_have_text("Complet")


@needs_zbarimg
def test_the_screens_qr_code_reads_from_the_screen(page: Page, screen, tmp_path):
    server, oa = screen
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{server.url}/centres/hub/places")
    shot = tmp_path / "qr.png"
    page.locator(".places-qr img").screenshot(path=shot)
    assert decode_qr(shot) == f"{server.url}/book/{oa.slots[0].id}"


def test_a_seat_offer_is_taken_with_the_keyboard(page: Page, db, screen):
    server, oa = screen
    slot = oa.slots[0]
    bea = visitor(db, slot, "Bea", "bea@example.org", status="offered")
    bea.offer_expires_at = slot.starts_at - timedelta(hours=1)
    db.add(bea)
    db.commit()
    page.goto(f"{server.url}/b/{bea.token}")
    take = page.get_by_role("button", name="Je prends la place")
    for _ in range(40):
        page.keyboard.press("Tab")
        if take.evaluate("el => el === document.activeElement"):
            break
    expect(take).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("La place est à vous")
    expect(page.locator(".status")).to_contain_text("Confirmée")


def test_erasing_my_data_with_the_keyboard(page: Page, db, screen):
    server, oa = screen
    ana = visitor(db, oa.slots[0], "Zéphyrine", "zephyrine@example.org")
    page.goto(f"{server.url}/b/{ana.token}")
    expect(page.get_by_text("Zéphyrine")).to_be_visible()
    link = page.get_by_role("link", name="Effacer mes données personnelles")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Effacer mes données personnelles")
    button = page.get_by_role("button", name="Effacer mes données personnelles")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Vos données personnelles sont effacées")
    expect(page.get_by_text("Zéphyrine")).to_have_count(0)


def test_notification_pages_have_no_serious_violations(page: Page, db, screen, make_staff):
    server, oa = screen
    slot = oa.slots[0]
    bea = visitor(db, slot, "Bea", "bea@example.org", status="offered")
    bea.offer_expires_at = slot.starts_at - timedelta(hours=1)
    db.add(bea)
    db.commit()
    make_staff("admin@example.org", role="admin")
    found = {}
    for path in ("/centres/hub/places", f"/b/{bea.token}", f"/b/{bea.token}/erase",
                 f"/b/{bea.token}/decline"):
        page.goto(server.url + path)
        found[path] = serious_violations(page)
    page.goto(f"{server.url}/staff/login?next=/staff/periodic-jobs")
    page.get_by_label("Adresse e-mail").fill("admin@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tâches de fond")
    found["jobs"] = serious_violations(page)
    assert found == {path: [] for path in found}
