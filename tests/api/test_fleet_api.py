"""JSON API for the fleet: ``/api/v1/headsets`` and ``/api/v1/headsets/{asset_tag}``."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from factories import (
    GAP_FACILITATOR,
    MANAGER,
    World,
    add_headsets,
    confirmed_bookings,
    lend,
    make_world,
    open_access_slot,
)
from vr_booking.models import HeadsetUse, InstalledVideo, Video, utcnow

FIELDS = {"asset_tag", "serial", "model", "home_centre", "current_centre", "service_state",
          "face_cover", "to_clean", "charge_percent", "estimated_minutes_left",
          "installed_video_count"}


@pytest.fixture
def world(db: Session, make_centre, make_staff) -> World:
    return make_world(db, make_centre, make_staff)


def bearer(make_token, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(email)}"}


def test_headsets_need_a_bearer_token(client, world):
    assert client.get("/api/v1/headsets").status_code == 401
    assert client.get("/api/v1/headsets/MRS-VR-01").status_code == 401
    wrong = client.get("/api/v1/headsets", headers={"Authorization": "Bearer vrb_nope"})
    assert wrong.status_code == 401


def test_list_headsets_with_filters_and_paging(client, db: Session, world, make_token):
    add_headsets(db, world.marseille, 1, prefix="MRS-PC-", service_state="maintenance")
    headers = bearer(make_token, MANAGER)
    everything = client.get("/api/v1/headsets", headers=headers).json()
    assert everything["total"] == 4
    assert [h["asset_tag"] for h in everything["items"]] == [
        "MRS-PC-01", "MRS-VR-01", "MRS-VR-02", "MRS-VR-03"]
    assert set(everything["items"][0]) == FIELDS

    page = client.get("/api/v1/headsets", headers=headers,
                      params={"limit": 2, "offset": 1}).json()
    assert page["total"] == 4
    assert [h["asset_tag"] for h in page["items"]] == ["MRS-VR-01", "MRS-VR-02"]

    in_service = client.get("/api/v1/headsets", headers=headers,
                            params={"state": "in_service", "centre": "marseille"}).json()
    assert in_service["total"] == 3
    bad = client.get("/api/v1/headsets", headers=headers, params={"state": "broken"})
    assert bad.status_code == 422


def test_one_headset_with_its_derived_facts(client, db: Session, world, make_token):
    headset = world.headsets[0]
    headset.charge_percent, headset.charge_recorded_at = 50, utcnow() - timedelta(minutes=30)
    db.add(headset)
    video = Video(slug="soudure", title="Soudure", duration_seconds=300)
    db.add(video)
    db.flush()
    db.add(InstalledVideo(headset_id=headset.id, video_id=video.id))
    [booking] = confirmed_bookings(db, open_access_slot(db, world.marseille), 1)
    db.add(HeadsetUse(headset_id=headset.id, session_id=booking.session_id,
                      booking_id=booking.id, started_at=utcnow() - timedelta(minutes=20),
                      returned_at=utcnow() - timedelta(minutes=10)))
    db.commit()

    body = client.get("/api/v1/headsets/MRS-VR-01", headers=bearer(make_token, MANAGER)).json()
    assert body == {
        "asset_tag": "MRS-VR-01", "serial": "SN-MRS-VR-1", "model": "Meta Quest 3",
        "home_centre": "marseille", "current_centre": "marseille",
        "service_state": "in_service", "face_cover": "silicone", "to_clean": True,
        "charge_percent": 50, "estimated_minutes_left": 50,  # 60 min minus 10 min worn
        "installed_video_count": 1,
    }


def test_unknown_is_404_and_another_centres_headset_is_403(client, world, make_token):
    manager = bearer(make_token, MANAGER)
    missing = client.get("/api/v1/headsets/XYZ-VR-99", headers=manager)
    assert missing.status_code == 404
    assert missing.json()["detail"]
    gap = bearer(make_token, GAP_FACILITATOR)
    assert client.get("/api/v1/headsets/MRS-VR-01", headers=gap).status_code == 403
    assert client.get("/api/v1/headsets", headers=gap).json() == {"items": [], "total": 0}
    assert client.get("/api/v1/headsets", headers=gap,
                      params={"centre": "marseille"}).status_code == 403


def test_a_lent_headset_is_listed_where_it_is_now(client, db: Session, world, make_token):
    lend(db, world.headsets[0], world.marseille, world.gap)
    gap = bearer(make_token, GAP_FACILITATOR)
    listed = client.get("/api/v1/headsets", headers=gap, params={"centre": "gap"}).json()
    assert [(h["asset_tag"], h["home_centre"], h["current_centre"])
            for h in listed["items"]] == [("MRS-VR-01", "marseille", "gap")]
    assert client.get("/api/v1/headsets/MRS-VR-01", headers=gap).status_code == 200


def test_openapi_documents_the_headset_routes(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/headsets" in spec["paths"]
    assert "/api/v1/headsets/{asset_tag}" in spec["paths"]
    assert set(spec["components"]["schemas"]["HeadsetPublic"]["properties"]) == FIELDS
