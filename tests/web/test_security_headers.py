"""Security headers on every response, no-store on private pages, HSTS only over HTTPS, and
templates that the Content-Security-Policy lets run unchanged (issue 9, item 13)."""

import re

from fastapi.testclient import TestClient

from factories import book, login
from vr_booking.paths import STATIC_DIR, TEMPLATES_DIR
from vr_booking.web.app import create_app

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def _check_common(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.url, name)
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_every_kind_of_response_carries_the_headers(client: TestClient, db, make_open_access):
    slot = make_open_access().slots[0]
    ticket = f"/b/{book(db, slot, 'Ana').token}"
    answers = [client.get("/"), client.get("/catalogue"), client.get("/no-such-page"),
               client.get("/static/css/app.css"), client.get("/api/v1/centres"),
               client.get("/docs"), client.get("/staff", follow_redirects=False),
               client.get(ticket), client.post("/api/v1/bookings", json={})]
    assert [a.status_code for a in answers] == [200, 200, 404, 200, 200, 200, 303, 200, 422]
    for answer in answers:
        _check_common(answer)
    assert "strict-transport-security" not in answers[0].headers


def test_staff_pages_and_tickets_are_never_stored(client, db, make_open_access, make_staff):
    slot = make_open_access().slots[0]
    token = book(db, slot, "Ana").token
    make_staff("fac@example.org", centres=("hub",))
    login(client, "fac@example.org")
    for path in ("/staff", "/staff/centres/hub/today", f"/b/{token}", f"/b/{token}/qr.png",
                 f"/b/{token}/ticket.ics", f"/api/v1/bookings/{token}"):
        assert client.get(path).headers.get("cache-control") == "no-store", path
    for path in ("/", "/catalogue", "/static/css/app.css"):
        assert client.get(path).headers.get("cache-control") != "no-store", path


def test_hsts_is_sent_when_cookies_are_secure(settings, engine):
    settings.cookie_secure = True
    with TestClient(create_app(settings, engine), base_url="https://testserver") as client:
        answer = client.get("/")
    assert answer.headers["strict-transport-security"].startswith("max-age=")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"""\s(on[a-z]+|hx-on[:a-z-]*|style)\s*=\s*["']""", re.I)


def test_templates_have_no_inline_script_style_or_handler():
    found = []
    for path in TEMPLATES_DIR.rglob("*.html"):
        text = path.read_text()
        found += [f"{path.name}: {m.group(0).strip()}" for m in INLINE_SCRIPT.finditer(text)]
        found += [f"{path.name}: {m.group(0).strip()}" for m in INLINE_HANDLER.finditer(text)]
        if "<style" in text:
            found.append(f"{path.name}: <style>")
    assert found == []


def test_our_scripts_neither_eval_nor_write_style_attributes():
    for path in (STATIC_DIR / "js").glob("*.js"):
        text = path.read_text()
        for forbidden in ("eval(", "new Function", 'setAttribute("style"', "cssText"):
            assert forbidden not in text, (path.name, forbidden)
