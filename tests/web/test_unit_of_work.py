"""One unit of work per request (``vr_booking.web.deps.get_session``): a POST whose handler
returns commits, one whose handler raises a domain error rolls everything back, and a GET
cannot write at all.

Test-only routes are added to the app, so that each handler writes exactly what the test
needs; the real routes run through the same dependency.
"""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import csrf_from
from vr_booking.models import Booking, Centre
from vr_booking.services.errors import Conflict
from vr_booking.web.deps import SessionDep
from vr_booking.web.routing import UnitOfWorkRoute


def _add_centre(session: Session, slug: str) -> None:
    session.add(Centre(slug=slug, name=slug.title()))
    session.flush()  # what a service does: flush, never commit


@pytest.fixture
def writing_app(app: FastAPI) -> FastAPI:
    """The app with handlers that write a centre, then return, raise or (GET) just stop."""

    def add_and_return(session: SessionDep) -> dict:
        _add_centre(session, "kept")
        return {"ok": True}

    def add_then_refuse(session: SessionDep) -> dict:
        _add_centre(session, "refused")
        raise Conflict("test_refusal", "Refused after writing.")

    def write_on_get(session: SessionDep) -> dict:
        _add_centre(session, "sneaky")
        return {"ok": True}

    def add_on_get_without_flush(session: SessionDep) -> dict:
        session.add(Centre(slug="unflushed", name="Unflushed"))
        return {"ok": True}

    for prefix in ("/test", "/api/v1/test"):
        app.add_api_route(f"{prefix}/kept", add_and_return, methods=["POST"])
        app.add_api_route(f"{prefix}/refused", add_then_refuse, methods=["POST"])
        app.add_api_route(f"{prefix}/sneaky", write_on_get, methods=["GET"])
        app.add_api_route(f"{prefix}/unflushed", add_on_get_without_flush, methods=["GET"])
    return app


@pytest.fixture
def lenient_client(writing_app: FastAPI) -> Iterator[TestClient]:
    """A client that gets the 500 answer instead of the server's exception."""
    with TestClient(writing_app, raise_server_exceptions=False) as client:
        yield client


def _stored_slugs(db: Session) -> list[str]:
    db.commit()  # end the test's read transaction: see what the app committed
    return list(db.exec(select(Centre.slug)))


@pytest.mark.parametrize("prefix", ["/test", "/api/v1/test"])
def test_a_post_whose_handler_returns_commits(lenient_client, db, prefix):
    data = {"csrftoken": csrf_from(lenient_client, "/")} if prefix == "/test" else None
    response = lenient_client.post(f"{prefix}/kept", data=data)
    assert response.status_code == 200
    assert _stored_slugs(db) == ["kept"]


def test_a_post_whose_handler_raises_a_domain_error_rolls_back(lenient_client, db):
    response = lenient_client.post("/api/v1/test/refused")
    assert response.status_code == 409
    assert response.json() == {"detail": "Refused after writing.", "code": "test_refusal"}
    assert _stored_slugs(db) == []


def test_a_form_post_refused_after_writing_shows_the_page_and_stores_nothing(lenient_client,
                                                                            db):
    response = lenient_client.post("/test/refused?lang=en",
                                   data={"csrftoken": csrf_from(lenient_client, "/")})
    assert response.status_code == 409
    assert 'class="site-header"' in response.text
    assert "Refused after writing." in response.text
    assert _stored_slugs(db) == []


def test_a_refused_booking_leaves_no_row(client, db, make_open_access):
    slot = make_open_access().slots[0]
    refused = client.post("/api/v1/bookings", json={
        "slot_id": slot.id, "name": "", "age_confirmed": True, "health_ack": True})
    assert refused.status_code == 422
    made = client.post("/api/v1/bookings", json={
        "slot_id": slot.id, "name": "Ana", "age_confirmed": True, "health_ack": True})
    assert made.status_code == 201
    db.commit()
    assert list(db.exec(select(Booking.name))) == ["Ana"]


def test_a_get_that_writes_is_a_server_error_page_and_stores_nothing(lenient_client, db):
    page = lenient_client.get("/test/sneaky")
    assert page.status_code == 500
    assert 'class="site-header"' in page.text  # the generic error page, in the layout
    assert "ReadOnlyRequest" not in page.text
    api = lenient_client.get("/api/v1/test/sneaky")
    assert api.status_code == 500
    assert set(api.json()) == {"detail", "code"}  # code: server_error
    assert _stored_slugs(db) == []


def test_a_get_that_adds_without_flushing_stores_nothing_either(lenient_client, db):
    assert lenient_client.get("/api/v1/test/unflushed").status_code == 200
    assert _stored_slugs(db) == []


def test_every_route_of_the_app_commits_in_its_endpoint_thread(app: FastAPI):
    """A route made with fastapi.APIRouter would commit only when the session dependency
    exits, after FastAPI took another worker thread: a rush then stalls the server
    (vr_booking.web.routing). Every router must come from vr_booking.web.routing."""
    included = [r.original_router for r in app.router.routes if hasattr(r, "original_router")]
    routes = [route for router in included for route in router.routes
              if isinstance(route, APIRoute)]
    assert routes
    assert [r.path for r in routes if not isinstance(r, UnitOfWorkRoute)] == []
