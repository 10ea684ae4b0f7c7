"""The desk's JSON API: POST /api/v1/checkins and /api/v1/walk-ins with a staff token."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import book
from vr_booking.models import Booking, Participant


@pytest.fixture
def hub(make_open_access, make_staff, make_token, db: Session, time_machine):
    """2 bookable seats + 1 for walk-ins; Ana booked; 5 minutes before the slot."""
    open_access = make_open_access("hub", headsets=3, reserve=1)
    make_staff("fac@example.org", centres=("hub",))
    open_access.ana = book(db, open_access.slots[0], "Ana")
    open_access.auth = {"Authorization": f"Bearer {make_token('fac@example.org')}"}
    time_machine.move_to(open_access.slots[0].starts_at - timedelta(minutes=5), tick=False)
    return open_access


def check_in(client: TestClient, hub, **body):
    return client.post("/api/v1/checkins?lang=en", json=body, headers=hub.auth)


def test_check_in_by_code_then_again_is_already(client, hub, db: Session):
    first = check_in(client, hub, code=hub.ana.short_code.lower())
    assert first.status_code == 200
    body = first.json()
    assert body["already"] is False
    assert (body["status"], body["name"], body["centre"]) == ("checked_in", "Ana", "hub")
    assert body["slot_id"] == hub.slots[0].id
    assert body["starts_at"].startswith(hub.slots[0].starts_at.strftime("%Y-%m-%dT%H:%M"))

    again = check_in(client, hub, token=hub.ana.token)
    assert again.status_code == 200
    assert again.json()["already"] is True
    assert again.json()["checked_in_at"] == body["checked_in_at"]
    assert "already checked in" in again.json()["message"]
    db.commit()
    assert db.exec(select(Booking.status).where(Booking.id == hub.ana.id)).one() == "checked_in"


def test_unknown_ticket_is_404_with_a_code(client, hub):
    response = check_in(client, hub, code="ZZZZ-ZZZZ")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_ticket"
    assert response.json()["detail"]


@pytest.mark.parametrize("reason", ["wrong_day", "cancelled", "waitlisted", "wrong_centre"])
def test_refusals_are_409_with_a_stable_code(client, hub, db: Session, make_open_access,
                                             make_staff, make_token, reason):
    headers = hub.auth
    body = {}
    if reason == "wrong_day":
        body["code"] = book(db, hub.slots[5], "Dan").short_code
    elif reason == "cancelled":
        client.post(f"/api/v1/bookings/{book(db, hub.slots[1], 'Eve').token}/cancel")
        body["code"] = db.exec(select(Booking.short_code).where(Booking.name == "Eve")).one()
    elif reason == "waitlisted":
        book(db, hub.slots[0], "Ben")
        body["code"] = book(db, hub.slots[0], "Chloé").short_code
    else:
        other = make_open_access("other", headsets=2)
        make_staff("both@example.org", centres=("hub", "other"))
        headers = {"Authorization": f"Bearer {make_token('both@example.org')}"}
        body = {"code": book(db, other.slots[0], "Fay").short_code, "centre": "hub"}
    response = client.post("/api/v1/checkins", json=body, headers=headers)
    assert response.status_code == 409
    assert response.json()["code"] == reason


def test_staff_of_another_centre_gets_403(client, hub, make_open_access, make_staff,
                                         make_token):
    make_open_access("other", headsets=2)
    make_staff("out@example.org", centres=("other",))
    headers = {"Authorization": f"Bearer {make_token('out@example.org')}"}
    response = client.post("/api/v1/checkins", json={"token": hub.ana.token}, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_centre"
    walk_in = client.post("/api/v1/walk-ins", json={"slot_id": hub.slots[0].id},
                          headers=headers)
    assert walk_in.status_code == 403


def test_a_bearer_token_is_required(client, hub):
    assert client.post("/api/v1/checkins", json={"token": hub.ana.token}).status_code == 401


@pytest.mark.parametrize("body", [{}, {"token": "a", "code": "b"}])
def test_exactly_one_of_token_or_code(client, hub, body):
    assert check_in(client, hub, **body).status_code == 422


def test_walk_ins_are_201_until_no_seat_is_free(client, hub, db: Session):
    slot_id = hub.slots[0].id
    first = client.post("/api/v1/walk-ins", headers=hub.auth,
                        json={"slot_id": slot_id, "age_band": "55+", "gender": "male"})
    assert first.status_code == 201
    assert first.json() == {"slot_id": slot_id, "walk_ins": 1, "free_for_walk_ins": 1}
    second = client.post("/api/v1/walk-ins", headers=hub.auth, json={"slot_id": slot_id})
    assert second.json()["free_for_walk_ins"] == 0
    full = client.post("/api/v1/walk-ins", headers=hub.auth, json={"slot_id": slot_id})
    assert full.status_code == 409
    assert full.json()["code"] == "no_free_seat"
    db.commit()
    stored = db.exec(select(Participant.age_band, Participant.gender).where(
        Participant.session_id == slot_id)).all()
    assert sorted(stored) == [("", ""), ("55+", "male")]


def test_walk_in_values_come_from_fixed_lists(client, hub):
    response = client.post("/api/v1/walk-ins", headers=hub.auth,
                           json={"slot_id": hub.slots[0].id, "age_band": "30"})
    assert response.status_code == 422


def test_walk_in_in_an_unknown_slot_is_404(client, hub):
    response = client.post("/api/v1/walk-ins", headers=hub.auth, json={"slot_id": 999_999})
    assert response.status_code == 404


def test_openapi_documents_the_desk(client):
    spec = client.get("/api/v1/openapi.json").json()
    check_ins = spec["paths"]["/api/v1/checkins"]["post"]
    assert {"200", "403", "404", "409", "422"} <= set(check_ins["responses"])
    assert {"CheckInCreate", "CheckInPublic", "WalkInCreate", "WalkInPublic"} <= set(
        spec["components"]["schemas"])
    assert "201" in spec["paths"]["/api/v1/walk-ins"]["post"]["responses"]
