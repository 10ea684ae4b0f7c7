"""`/api/v1/centres` (POST, PATCH), `/api/v1/tokens` and `/api/v1/audit` for every role.
The public `GET /api/v1/centres` keeps its shape and needs no token."""

import pytest
from sqlmodel import Session, select

from factories import (
    ADMIN,
    GAP_FACILITATOR,
    GAP_MANAGER,
    HUB_FACILITATOR,
    HUB_MANAGER,
    bearer,
)
from vr_booking.models import ApiToken, AuditEvent

CENTRE = {"slug": "briancon", "name": "Centre associé de Briançon", "hub": "marseille",
          "visitor_notes": "Entrée par la cour"}


@pytest.fixture
def tokens(network, make_token) -> dict[str, dict[str, str]]:
    return {email: bearer(make_token(email)) for email in network.staff}


def _actions(db: Session, prefix: str) -> list[str]:
    db.commit()
    return list(db.exec(select(AuditEvent.action).where(AuditEvent.action.startswith(prefix))
                        .order_by(AuditEvent.id)))


def test_the_public_centre_list_keeps_its_shape(client, network):
    centres = client.get("/api/v1/centres").json()
    assert centres["total"] == 3
    assert set(centres["items"][0]) == {"slug", "name", "kind", "hub", "timezone", "address",
                                        "postcode", "city"}


def test_an_admin_creates_edits_and_deactivates_a_centre(client, db, tokens):
    created = client.post("/api/v1/centres", json=CENTRE, headers=tokens[ADMIN])
    assert created.status_code == 201
    assert created.json()["hub"] == "marseille"
    assert created.json()["timezone"] == "Europe/Paris"
    edited = client.patch("/api/v1/centres/briancon", json={"timezone": "Europe/Rome"},
                          headers=tokens[ADMIN])
    assert edited.json()["timezone"] == "Europe/Rome"
    off = client.patch("/api/v1/centres/briancon", json={"is_active": False},
                       headers=tokens[ADMIN])
    assert off.json()["is_active"] is False
    assert "briancon" not in [c["slug"] for c in client.get("/api/v1/centres").json()["items"]]
    hub = client.patch("/api/v1/centres/marseille", json={"is_active": False},
                       headers=tokens[ADMIN])
    assert hub.status_code == 409
    assert hub.json()["code"] == "centre_in_use"
    assert "Gap" in hub.json()["detail"]
    assert _actions(db, "centre.") == ["centre.created", "centre.updated", "centre.deactivated"]


@pytest.mark.parametrize(("who", "method", "path", "body", "status"), [
    (HUB_MANAGER, "post", "/api/v1/centres", CENTRE, 403),
    (HUB_FACILITATOR, "post", "/api/v1/centres", CENTRE, 403),
    (HUB_MANAGER, "patch", "/api/v1/centres/gap", {"timezone": "Asia/Tokyo"}, 403),
    (HUB_MANAGER, "patch", "/api/v1/centres/lyon", {"name": "Lyon"}, 403),
    (GAP_MANAGER, "patch", "/api/v1/centres/marseille", {"name": "M"}, 403),
    (HUB_FACILITATOR, "patch", "/api/v1/centres/marseille", {"name": "M"}, 403),
    (HUB_MANAGER, "patch", "/api/v1/centres/gap", {"is_active": False}, 403),
    (ADMIN, "patch", "/api/v1/centres/nowhere", {"name": "N"}, 404),
    (ADMIN, "post", "/api/v1/centres", {**CENTRE, "timezone": "Moon/Base"}, 422),
    (ADMIN, "post", "/api/v1/centres", {**CENTRE, "slug": "gap"}, 422),
])
def test_refused_centre_changes(client, db, tokens, who, method, path, body, status):
    refused = getattr(client, method)(path, json=body, headers=tokens[who])
    assert refused.status_code == status
    assert refused.json()["code"]
    assert _actions(db, "centre.") == []


def test_managers_edit_their_centres_notes(client, tokens):
    for who, slug in ((HUB_MANAGER, "gap"), (GAP_MANAGER, "gap"), (HUB_MANAGER, "marseille")):
        done = client.patch(f"/api/v1/centres/{slug}", json={"visitor_notes": f"by {who}"},
                            headers=tokens[who])
        assert done.status_code == 200
        assert done.json()["visitor_notes"] == f"by {who}"


def test_tokens_are_listed_created_once_and_revoked(client, db, tokens, network):
    created = client.post("/api/v1/tokens", json={"label": "sync", "expires_in_days": 7},
                          headers=tokens[GAP_FACILITATOR])
    assert created.status_code == 201
    new = created.json()
    assert new["token"].startswith("vrb_")
    assert new["owner"] == GAP_FACILITATOR
    mine = client.get("/api/v1/tokens", headers=tokens[GAP_FACILITATOR]).json()
    assert mine["total"] == 2
    assert all("token" not in t for t in mine["items"])
    lea = network.staff[GAP_FACILITATOR].id
    assert client.get("/api/v1/tokens", params={"staff_id": lea},
                      headers=tokens[HUB_MANAGER]).status_code == 403
    assert client.get("/api/v1/tokens", params={"staff_id": lea},
                      headers=tokens[ADMIN]).json()["total"] == 2
    assert client.delete(f"/api/v1/tokens/{new['id']}",
                         headers=tokens[HUB_MANAGER]).status_code == 404
    assert client.delete(f"/api/v1/tokens/{new['id']}",
                         headers=tokens[GAP_FACILITATOR]).status_code == 204
    assert client.delete(f"/api/v1/tokens/{new['id']}",
                         headers=tokens[ADMIN]).status_code == 409
    assert client.get("/api/v1/me", headers=bearer(new["token"])).status_code == 401
    own = db.exec(select(ApiToken.id).where(ApiToken.staff_id == lea,
                                            ApiToken.label == "command line")).one()
    assert client.delete(f"/api/v1/tokens/{own}", headers=tokens[ADMIN]).status_code == 204
    assert client.get("/api/v1/me", headers=tokens[GAP_FACILITATOR]).status_code == 401
    assert _actions(db, "token.")[-3:] == ["token.created", "token.revoked", "token.revoked"]
    bad = client.post("/api/v1/tokens", json={"label": "x", "expires_in_days": 0},
                      headers=tokens[ADMIN])
    assert bad.status_code == 422


def test_the_audit_api_filters_and_scopes(client, db, tokens):
    client.post("/api/v1/staff", headers=tokens[ADMIN], json={
        "email": "n@example.org", "name": "N", "role": "facilitator", "centres": ["lyon"]})
    client.post("/api/v1/staff", headers=tokens[HUB_MANAGER], json={
        "email": "m@example.org", "name": "M", "role": "facilitator", "centres": ["gap"]})
    everything = client.get("/api/v1/audit", params={"kind": "staff"},
                            headers=tokens[ADMIN]).json()
    assert everything["total"] == 2
    first = everything["items"][0]
    assert set(first) == {"id", "at", "actor", "actor_id", "action", "centre", "subject_type",
                          "subject_id", "summary"}
    assert (first["actor"], first["centre"]) == (HUB_MANAGER, "gap")  # newest first
    hub = client.get("/api/v1/audit", params={"kind": "staff"},
                     headers=tokens[HUB_MANAGER]).json()
    assert [e["centre"] for e in hub["items"]] == ["gap"]
    by_person = client.get("/api/v1/audit", params={"person": ADMIN, "kind": "staff.created"},
                           headers=tokens[ADMIN]).json()
    assert [e["centre"] for e in by_person["items"]] == ["lyon"]
    assert client.get("/api/v1/audit", headers=tokens[HUB_FACILITATOR]).status_code == 403
    assert client.get("/api/v1/audit", params={"centre": "lyon"},
                      headers=tokens[HUB_MANAGER]).status_code == 403
    assert client.get("/api/v1/audit", params={"from": "1900-01-01"},
                      headers=tokens[ADMIN]).status_code == 422
    assert client.get("/api/v1/audit", params={"from": "2026-02-02", "to": "2026-02-01"},
                      headers=tokens[ADMIN]).json()["code"] == "bad_period"
