"""`/api/v1/staff` for every role: list, create (invitation queued), update, deactivate;
status codes and error bodies as documented; audit rows only for what was done."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import (
    ADMIN,
    GAP_FACILITATOR,
    GAP_MANAGER,
    HUB_FACILITATOR,
    HUB_MANAGER,
    LYON_FACILITATOR,
    bearer,
    login,
)
from vr_booking.models import AuditEvent, OutboxMessage

NEW = {"email": "nadia@example.org", "name": "Nadia", "role": "facilitator", "centres": ["gap"]}


@pytest.fixture
def tokens(network, make_token) -> dict[str, dict[str, str]]:
    return {email: bearer(make_token(email)) for email in network.staff}


def _actions(db: Session) -> list[str]:
    db.commit()
    return list(db.exec(select(AuditEvent.action).where(AuditEvent.action.startswith("staff."))
                        .order_by(AuditEvent.id)))


def test_lists_answer_items_and_total_for_each_manager(client, tokens):
    everyone = client.get("/api/v1/staff", headers=tokens[ADMIN]).json()
    assert everyone["total"] == 6
    assert set(everyone["items"][0]) == {"id", "email", "name", "role", "centres",
                                         "can_edit_catalogue", "is_active",
                                         "has_password", "created_at", "last_login_at"}
    hub = client.get("/api/v1/staff", headers=tokens[HUB_MANAGER]).json()
    assert {s["email"] for s in hub["items"]} == {HUB_MANAGER, GAP_MANAGER, HUB_FACILITATOR,
                                                  GAP_FACILITATOR}
    gap = client.get("/api/v1/staff", headers=tokens[GAP_MANAGER],
                     params={"role": "facilitator"}).json()
    assert [s["email"] for s in gap["items"]] == [GAP_FACILITATOR]
    page = client.get("/api/v1/staff", headers=tokens[ADMIN], params={"limit": 2, "offset": 4})
    assert (len(page.json()["items"]), page.json()["total"]) == (2, 6)
    assert client.get("/api/v1/staff", headers=tokens[HUB_FACILITATOR]).status_code == 403
    assert client.get("/api/v1/staff").status_code == 401
    assert client.get("/api/v1/staff", headers=tokens[ADMIN],
                      params={"role": "wizard"}).status_code == 422


def test_create_then_update_then_deactivate(client, db, tokens):
    created = client.post("/api/v1/staff", json=NEW, headers=tokens[HUB_MANAGER])
    assert created.status_code == 201
    body = created.json()
    assert (body["centres"], body["has_password"], body["is_active"]) == (["gap"], False, True)
    db.commit()
    assert db.exec(select(OutboxMessage.to_address)).all() == ["nadia@example.org"]
    staff_id = body["id"]
    updated = client.patch(f"/api/v1/staff/{staff_id}", headers=tokens[HUB_MANAGER],
                           json={"role": "manager", "centres": ["gap", "marseille"]})
    assert updated.status_code == 200
    assert updated.json()["role"] == "manager"
    off = client.post(f"/api/v1/staff/{staff_id}/deactivate", headers=tokens[HUB_MANAGER])
    assert off.status_code == 200
    assert off.json()["is_active"] is False
    again = client.post(f"/api/v1/staff/{staff_id}/deactivate", headers=tokens[HUB_MANAGER])
    assert again.status_code == 409
    assert again.json()["code"] == "already_inactive"
    back = client.patch(f"/api/v1/staff/{staff_id}", json={"is_active": True},
                        headers=tokens[ADMIN])
    assert back.json()["is_active"] is True
    assert _actions(db) == ["staff.created", "staff.updated", "staff.deactivated",
                            "staff.reactivated"]


@pytest.mark.parametrize(("who", "body", "status", "code"), [
    (HUB_FACILITATOR, NEW, 403, "managers_only"),
    (HUB_MANAGER, {**NEW, "role": "admin"}, 422, "invalid_staff"),
    (GAP_MANAGER, {**NEW, "centres": ["marseille"]}, 422, "invalid_staff"),
    (ADMIN, {**NEW, "email": GAP_FACILITATOR}, 422, "invalid_staff"),
    (ADMIN, {**NEW, "centres": ["nowhere"]}, 422, "invalid_staff"),
])
def test_refused_creations(client, db, tokens, who, body, status, code):
    refused = client.post("/api/v1/staff", json=body, headers=tokens[who])
    assert refused.status_code == status
    assert refused.json()["code"] == code
    db.commit()
    assert db.exec(select(OutboxMessage)).all() == []
    assert _actions(db) == []


def test_managers_cannot_reach_beyond_their_centres(client, db, tokens, network):
    tom = network.staff[LYON_FACILITATOR].id
    sami = network.staff[HUB_FACILITATOR].id
    assert client.patch(f"/api/v1/staff/{tom}", json={"name": "T"},
                        headers=tokens[HUB_MANAGER]).status_code == 403
    assert client.post(f"/api/v1/staff/{sami}/deactivate",
                       headers=tokens[GAP_MANAGER]).status_code == 403
    assert client.post(f"/api/v1/staff/{sami}/deactivate",
                       headers=tokens[GAP_FACILITATOR]).status_code == 403
    assert client.post("/api/v1/staff/999999/deactivate",
                       headers=tokens[ADMIN]).status_code == 404
    own = network.staff[ADMIN].id
    assert client.post(f"/api/v1/staff/{own}/deactivate",
                       headers=tokens[ADMIN]).json()["code"] == "own_account"
    assert _actions(db) == []


def test_deactivation_through_the_api_ends_sessions_and_tokens(app, client, tokens, network):
    with TestClient(app) as browser:
        login(browser, GAP_FACILITATOR)
        lea = network.staff[GAP_FACILITATOR].id
        assert client.post(f"/api/v1/staff/{lea}/deactivate",
                           headers=tokens[GAP_MANAGER]).status_code == 200
        assert browser.get("/staff", follow_redirects=False).status_code == 303
        assert client.get("/api/v1/me", headers=tokens[GAP_FACILITATOR]).status_code == 401
