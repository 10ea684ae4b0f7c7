"""Public pages, language switch, API root, OpenAPI docs and error pages."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.testclient import TestClient

from conftest import csrf_from
from vr_booking.paths import LOCALE_DIR, STATIC_DIR


def test_home_lists_next_open_access_sessions_in_french(client: TestClient, demo):
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "Prochaines séances en accès libre" in page.text
    assert "mercredi" in page.text.lower()
    assert "14:00" in page.text
    assert "Cité des métiers de Marseille" in page.text


def test_home_without_sessions_says_so(client: TestClient):
    page = client.get("/")
    assert page.status_code == 200
    assert 'class="empty"' in page.text


def test_english_switch_is_remembered(client: TestClient, demo):
    switch = client.get("/lang/en?next=/", follow_redirects=False)
    assert switch.status_code == 303
    assert switch.headers["location"] == "/"
    page = client.get("/")
    assert '<html lang="en">' in page.text
    assert "Next open-access sessions" in page.text
    assert "Wednesday" in page.text


def test_language_switch_stays_on_site(client: TestClient):
    switch = client.get("/lang/en?next=//evil.example", follow_redirects=False)
    assert switch.headers["location"] == "/"


def test_browser_language_is_used_when_nothing_was_chosen(client: TestClient):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in page.text


def test_healthz(client: TestClient):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_api_root_and_centres(client: TestClient, demo):
    root = client.get("/api/v1")
    assert root.status_code == 200
    assert root.json()["docs"] == "/docs"
    centres = client.get("/api/v1/centres", params={"limit": 2, "offset": 1}).json()
    assert centres["total"] >= 8
    assert len(centres["items"]) == 2
    everything = client.get("/api/v1/centres").json()["items"]
    gap = next(c for c in everything if c["slug"] == "gap")
    assert gap["hub"] == "marseille"


def test_openapi_and_docs_are_served_without_a_cdn(client: TestClient):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/centres" in spec["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_vendored_htmx_is_version_2(client: TestClient):
    page = client.get("/")
    assert "/static/vendor/htmx-2.0.11.min.js" in page.text
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def test_404_page_is_in_the_layout(client: TestClient):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Page introuvable" in response.text
    assert 'class="site-header"' in response.text


def test_api_404_and_422_are_json(client: TestClient):
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}
    invalid = client.get("/api/v1/centres", params={"limit": "many"})
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["query", "limit"]


def test_bad_form_input_gets_a_422_page(client: TestClient):
    token = csrf_from(client)
    response = client.post("/staff/login", data={"email": "x" * 300, "password": "p",
                                                 "csrftoken": token})
    assert response.status_code == 422
    assert 'class="site-header"' in response.text


@pytest.fixture
def failing_app(app: FastAPI) -> FastAPI:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    @app.get("/api/v1/boom")
    def api_boom() -> None:
        raise RuntimeError("kaboom")

    return app


def test_500_page_is_in_the_layout_and_hides_the_error(failing_app: FastAPI):
    with TestClient(failing_app, raise_server_exceptions=False) as client:
        page = client.get("/boom")
        api = client.get("/api/v1/boom")
    assert page.status_code == 500
    assert 'class="site-header"' in page.text
    assert "kaboom" not in page.text
    assert api.status_code == 500
    assert "kaboom" not in api.json()["detail"]


def test_french_catalogue_is_complete():
    """An empty msgstr (or plural form) would silently show English to French visitors."""
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(message.id)
    assert missing == []


def test_every_string_in_the_code_is_in_the_french_catalogue(tmp_path):
    """A string added to the code but never extracted would show in English (run bin/i18n)."""
    root = Path(__file__).resolve().parent.parent
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract",
                    "-F", str(root / "babel.cfg"), "-k", "N_", "-o", str(pot), "."],
                   cwd=root, check=True)
    with pot.open("rb") as source, (
            LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as french:
        wanted = {m.id for m in read_po(source) if m.id}
        have = {m.id for m in read_po(french) if m.id}
    assert sorted(map(str, wanted - have)) == []


def test_catalogue_is_compiled():
    assert (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.mo").exists()


def test_static_css_exists():
    assert (STATIC_DIR / "css" / "app.css").exists()
