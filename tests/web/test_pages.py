"""Public pages, language switch, health check, vendored htmx and error pages.

(The API root and docs: ``api/test_api_basics.py``; the translations:
``app/test_translations.py``.)"""


import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from factories import csrf_from


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
