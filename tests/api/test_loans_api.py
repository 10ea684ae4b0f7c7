"""JSON API for loans: ``/api/v1/loans`` and its lifecycle routes, and
``/api/v1/headsets/locations`` — paths, fields and status codes as the issue names them."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from factories import (
    FACILITATOR,
    GAP_FACILITATOR,
    GAP_MANAGER,
    MANAGER,
    LoanNetwork,
    centre_today,
    confirmed_bookings,
    lend_through_service,
    make_loan_network,
    open_access_slot,
    workshop,
)
from vr_booking.models import Loan

TAGS = ["MRS-VR-01", "MRS-VR-02", "MRS-VR-03"]
LOAN_FIELDS = {"id", "status", "from_centre", "to_centre", "start_date", "end_date", "notes",
               "headset_tags", "headsets", "is_late", "created_at", "returned_at",
               "cancelled_at", "handovers"}


@pytest.fixture
def network(db: Session, make_centre, make_staff) -> LoanNetwork:
    return make_loan_network(db, make_centre, make_staff)


@pytest.fixture
def auth(make_token, network):
    """Bearer headers by e-mail (tokens made on demand)."""
    tokens: dict[str, dict[str, str]] = {}

    def _auth(email: str = MANAGER) -> dict[str, str]:
        if email not in tokens:
            tokens[email] = {"Authorization": f"Bearer {make_token(email)}"}
        return tokens[email]

    return _auth


def body(network: LoanNetwork, tags=TAGS, first: int = 0, last: int = 6, **fields) -> dict:
    today = centre_today(network.marseille)
    return {"from_centre": "marseille", "to_centre": "gap",
            "start_date": (today + timedelta(days=first)).isoformat(),
            "end_date": (today + timedelta(days=last)).isoformat(),
            "headset_tags": list(tags), "kit": {"case": False}, "notes": "Semaine emploi",
            **fields}


def lend(client, auth, network, **fields):
    return client.post("/api/v1/loans", json=body(network, **fields), headers=auth())


def test_post_loans_answers_201_planned_with_the_kit(client, auth, network):
    answer = lend(client, auth, network)
    assert answer.status_code == 201
    loan = answer.json()
    assert set(loan) == LOAN_FIELDS
    assert (loan["status"], loan["from_centre"], loan["to_centre"], loan["headset_tags"]) == (
        "planned", "marseille", "gap", TAGS)
    assert loan["headsets"][0]["kit"] == {"charger": True, "cable": True,
                                          "controllers": True, "face_covers": True,
                                          "case": False}
    assert client.get(f"/api/v1/loans/{loan['id']}", headers=auth()).json() == loan


def test_a_clash_answers_409_headsets_busy_with_clashes_and_alternatives(client, auth,
                                                                         network, db):
    lend(client, auth, network, tags=["MRS-VR-01"])
    session = workshop(db, network.marseille, network.headsets[1], timedelta(days=1))
    answer = lend(client, auth, network, tags=["MRS-VR-01", "MRS-VR-02"], first=1, last=3)
    assert answer.status_code == 409
    refusal = answer.json()
    assert set(refusal) == {"detail", "code", "clashes", "alternatives"}
    assert refusal["code"] == "headsets_busy"
    assert [(c["kind"], c["asset_tag"]) for c in refusal["clashes"]] == [
        ("loan", "MRS-VR-01"), ("group_session", "MRS-VR-02")]
    assert refusal["clashes"][1]["session_id"] == session.id
    assert refusal["alternatives"] == ["MRS-VR-03", "MRS-VR-04", "MRS-VR-05", "MRS-VR-06"]
    db.commit()
    assert len(db.exec(select(Loan)).all()) == 1


def test_stranded_open_access_bookings_answer_headsets_busy(client, auth, network, db):
    confirmed_bookings(db, open_access_slot(db, network.marseille), 6)
    answer = lend(client, auth, network, tags=["MRS-VR-01"])
    assert answer.status_code == 409
    assert [c["kind"] for c in answer.json()["clashes"]] == ["open_access"]


@pytest.mark.parametrize(("change", "field"), [
    ({"start_date": "2026-02-30"}, None), ({"to_centre": "nowhere"}, "to_centre"),
    ({"headset_tags": []}, "headset_tags"), ({"kit": {"spare": True}}, None),
    ({"start_date": "1999-01-01", "end_date": "1999-01-02"}, "start_date"),
])
def test_bad_loans_answer_422(client, auth, network, change, field):
    answer = client.post("/api/v1/loans", json={**body(network), **change}, headers=auth())
    assert answer.status_code == 422
    if field:
        assert field in answer.json()["fields"]


def test_permissions(client, auth, network):
    assert client.post("/api/v1/loans", json=body(network)).status_code == 401
    assert lend(client, auth, network).status_code == 201
    gap = client.post("/api/v1/loans", json=body(network, first=7, last=8),
                      headers=auth(GAP_MANAGER))
    assert gap.status_code == 403
    assert client.post("/api/v1/loans", json=body(network, first=7, last=8),
                       headers=auth(FACILITATOR)).status_code == 403


def test_the_whole_lifecycle_through_the_api(client, auth, network, db):
    loan = lend(client, auth, network).json()
    url = f"/api/v1/loans/{loan['id']}"
    mismatch = client.post(f"{url}/dispatch", headers=auth(), json={
        "scanned_tags": ["http://testserver/h/MRS-VR-01", "MRS-VR-02", "MRS-VR-04"]})
    assert mismatch.status_code == 409
    assert mismatch.json() == {"detail": mismatch.json()["detail"], "code": "scan_mismatch",
                               "missing": ["MRS-VR-03"], "extra": ["MRS-VR-04"]}

    out = client.post(f"{url}/dispatch", headers=auth(), json={
        "scanned_tags": TAGS, "counterpart": "Transporteur",
        "headsets": {"MRS-VR-01": {"condition": "worn", "notes": "strap"}}})
    assert out.status_code == 200
    assert out.json()["status"] == "in_transit"
    assert out.json()["headsets"][0]["condition_out"] == "worn"
    assert out.json()["handovers"][0]["recorded_by"] == "Camille"

    assert client.post(f"{url}/receive", headers=auth(FACILITATOR),
                       json={"scanned_tags": TAGS}).status_code == 403
    arrived = client.post(f"{url}/receive", headers=auth(GAP_FACILITATOR),
                          json={"scanned_tags": TAGS})
    assert arrived.json()["status"] == "active"

    today = centre_today(network.marseille)
    later = client.post(f"{url}/extend", headers=auth(),
                        json={"end_date": (today + timedelta(days=9)).isoformat()})
    assert later.json()["end_date"] == (today + timedelta(days=9)).isoformat()

    back = client.post(f"{url}/return", headers=auth(), json={
        "scanned_tags": TAGS, "headsets": {"MRS-VR-02": {"kit": {"charger": False}}}})
    assert back.status_code == 200
    assert back.json()["status"] == "returned"
    assert back.json()["headsets"][1]["kit_back"]["charger"] is False
    assert [h["step"] for h in back.json()["handovers"]] == ["dispatch", "receipt", "back"]
    again = client.post(f"{url}/return", headers=auth(), json={"scanned_tags": TAGS})
    assert (again.status_code, again.json()["code"]) == (409, "wrong_status")


def test_dispatch_too_early_and_nothing_scanned(client, auth, network):
    loan = lend(client, auth, network, first=2, last=3).json()
    url = f"/api/v1/loans/{loan['id']}/dispatch"
    early = client.post(url, headers=auth(), json={"scanned_tags": TAGS})
    assert (early.status_code, early.json()["code"]) == (409, "too_early")
    today = lend(client, auth, network, tags=["MRS-VR-04"]).json()
    none = client.post(f"/api/v1/loans/{today['id']}/dispatch", headers=auth(),
                       json={"scanned_tags": []})
    assert none.status_code == 422
    assert "scanned" in none.json()["fields"]


def test_extension_clash_answers_409_and_cancel(client, auth, network):
    first = lend(client, auth, network, tags=["MRS-VR-01"], first=0, last=2).json()
    lend(client, auth, network, tags=["MRS-VR-01"], first=4, last=5)
    today = centre_today(network.marseille)
    clash = client.post(f"/api/v1/loans/{first['id']}/extend", headers=auth(),
                        json={"end_date": (today + timedelta(days=4)).isoformat()})
    assert (clash.status_code, clash.json()["code"]) == (409, "headsets_busy")
    cancelled = client.post(f"/api/v1/loans/{first['id']}/cancel", headers=auth())
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    twice = client.post(f"/api/v1/loans/{first['id']}/cancel", headers=auth(), json={})
    assert (twice.status_code, twice.json()["code"]) == (409, "wrong_status")


def test_cancelling_that_strands_gaps_bookings_needs_confirm(client, auth, network, db):
    loan = lend(client, auth, network).json()
    confirmed_bookings(db, open_access_slot(db, network.gap), 2)
    url = f"/api/v1/loans/{loan['id']}/cancel"
    refused = client.post(url, headers=auth(), json={"confirm": False})
    assert (refused.status_code, refused.json()["code"]) == (409, "would_strand")
    assert client.post(url, headers=auth(), json={"confirm": True}).status_code == 200


def test_list_loans_by_centre_and_status_and_visibility(client, auth, network, db,
                                                        make_centre):
    lend(client, auth, network, tags=["MRS-VR-01"])
    other = make_centre("briancon", hub_id=network.marseille.id)
    lend(client, auth, network, tags=["MRS-VR-02"], to_centre=other.slug)
    mine = client.get("/api/v1/loans", headers=auth()).json()
    assert mine["total"] == 2
    assert client.get("/api/v1/loans", headers=auth(),
                      params={"centre": "gap"}).json()["total"] == 1
    assert client.get("/api/v1/loans", headers=auth(),
                      params={"status": "active"}).json()["total"] == 0
    assert client.get("/api/v1/loans", headers=auth(),
                      params={"status": "lost"}).status_code == 422
    gap = client.get("/api/v1/loans", headers=auth(GAP_FACILITATOR)).json()
    assert [loan["to_centre"] for loan in gap["items"]] == ["gap"]
    assert client.get("/api/v1/loans", headers=auth(GAP_FACILITATOR),
                      params={"centre": "marseille"}).status_code == 403
    hidden = mine["items"][0]["id"] if mine["items"][0]["to_centre"] != "gap" else \
        mine["items"][1]["id"]
    assert client.get(f"/api/v1/loans/{hidden}", headers=auth(GAP_FACILITATOR)
                      ).status_code == 403
    assert client.get("/api/v1/loans/999999", headers=auth()).status_code == 404


def test_an_overdue_loan_is_flagged_late(client, auth, network, db):
    loan = lend_through_service(db, network, ["MRS-VR-01"], 0, 0)
    loan.status, loan.start_date = "active", loan.start_date - timedelta(days=5)
    loan.end_date = loan.start_date + timedelta(days=2)
    db.add(loan)
    db.commit()
    answer = client.get(f"/api/v1/loans/{loan.id}", headers=auth()).json()
    assert (answer["status"], answer["is_late"]) == ("active", True)


# --- where headsets are ---------------------------------------------------------------------

def test_headset_locations_at_an_instant(client, auth, network, db):
    lend_through_service(db, network, ["MRS-VR-01", "MRS-VR-02"], 2, 4)
    today = centre_today(network.marseille)
    during = datetime.combine(today + timedelta(days=3), time(12), tzinfo=UTC)
    answer = client.get("/api/v1/headsets/locations", headers=auth(),
                        params={"at": during.isoformat()})
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert items[:3] == [{"asset_tag": "MRS-VR-01", "centre": "gap"},
                         {"asset_tag": "MRS-VR-02", "centre": "gap"},
                         {"asset_tag": "MRS-VR-03", "centre": "marseille"}]
    assert answer.json()["total"] == 6
    before = client.get("/api/v1/headsets/locations", headers=auth(),
                        params={"at": f"{today.isoformat()}T12:00:00"}).json()
    assert {i["centre"] for i in before["items"]} == {"marseille"}
    unencoded_plus = client.get(f"/api/v1/headsets/locations?at={during:%Y-%m-%dT%H:%M}"
                                "+01:00", headers=auth())
    assert unencoded_plus.json()["items"][0]["centre"] == "gap"


def test_gap_sees_only_the_headsets_lent_to_it(client, auth, network, db):
    lend_through_service(db, network, ["MRS-VR-01"], 0, 4)
    answer = client.get("/api/v1/headsets/locations", headers=auth(GAP_FACILITATOR)).json()
    assert answer == {"items": [{"asset_tag": "MRS-VR-01", "centre": "gap"}], "total": 1}


@pytest.mark.parametrize("at", ["yesterday", "1999-12-31T00:00:00", "２０２６-01-01"])
def test_headset_locations_refuse_bad_instants(client, auth, network, at):
    answer = client.get("/api/v1/headsets/locations", headers=auth(), params={"at": at})
    assert answer.status_code == 422


def test_the_locations_route_is_not_taken_for_an_asset_tag(client, auth, network):
    assert client.get("/api/v1/headsets/locations", headers=auth()).status_code == 200
    assert client.get("/api/v1/headsets/MRS-VR-01", headers=auth()).json()["asset_tag"] == \
        "MRS-VR-01"


def test_the_loan_routes_are_documented(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/v1/loans", "/api/v1/loans/{loan_id}/dispatch",
                 "/api/v1/loans/{loan_id}/receive", "/api/v1/loans/{loan_id}/return",
                 "/api/v1/loans/{loan_id}/extend", "/api/v1/loans/{loan_id}/cancel",
                 "/api/v1/headsets/locations"):
        assert path in paths, path
    busy = paths["/api/v1/loans"]["post"]["responses"]["409"]
    assert busy["content"]["application/json"]["schema"]["$ref"].endswith("/BusyAnswer")
