"""The group-session API is a public contract: paths, fields and status codes as published."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from factories import (
    FACILITATOR,
    GAP_FACILITATOR,
    MANAGER,
    add_headsets,
    centre_today,
    local_at,
    make_world,
)
from vr_booking.models import Allocation, VRSession

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def world(db: Session, make_centre, make_staff):
    world = make_world(db, make_centre, make_staff)
    world.headsets += add_headsets(db, world.marseille, 7, prefix="MRS-XR-")
    return world


@pytest.fixture
def manager(world, make_token) -> dict:
    return {"Authorization": f"Bearer {make_token(MANAGER)}"}


@pytest.fixture
def facilitator(world, make_token) -> dict:
    return {"Authorization": f"Bearer {make_token(FACILITATOR)}"}


def body(world, days: int = 3, start: str = "09:30", end: str = "11:30", **fields) -> dict:
    return {"centre": "marseille", "kind": "group_visit", "title": "3e B",
            "starts_at": local_at(world.marseille, days, start).isoformat(),
            "ends_at": local_at(world.marseille, days, end).isoformat(),
            "organisation": "Collège Jean Moulin", "group_size": 28, "min_age": 14,
            "max_age": 15, "headsets": 10, "briefing_minutes": 5, "video_minutes": 15,
            "cleaning_minutes": 2, "job_ids": [],
            "accompanying_adult": "M. Dupont", "minors_authorisation_holder": "Le collège",
            **fields}


def plan(client, world, headers, **fields):
    return client.post("/api/v1/group-sessions", json=body(world, **fields), headers=headers)


def test_planning_a_class_of_28_with_10_headsets(client, world, manager):
    answer = plan(client, world, manager)
    assert answer.status_code == 201
    made = answer.json()
    assert {"id", "kind", "status", "allocated", "rotation"} <= set(made)
    assert (made["kind"], made["status"]) == ("group_visit", "planned")
    assert len(made["allocated"]) == 10
    rotation = made["rotation"]
    assert {k: rotation[k] for k in ("rounds", "per_round", "round_minutes", "sizes")} == {
        "rounds": 3, "per_round": 10, "round_minutes": 22, "sizes": [10, 9, 9]}
    assert rotation["ends_at"].startswith(
        (local_at(world.marseille, 3, "09:30") + timedelta(minutes=66)).strftime(
            "%Y-%m-%dT%H:%M"))
    assert rotation["warnings"] == []


def test_a_clash_answers_409_with_each_headset_what_holds_it_and_the_free_ones(
        client, world, manager):
    assert plan(client, world, manager, headsets=8, title="Atelier").status_code == 201
    answer = plan(client, world, manager, start="10:00", end="11:00", headsets=None,
                  headset_tags=["MRS-VR-01", "MRS-XR-07"])
    assert answer.status_code == 409
    refused = answer.json()
    assert refused["code"] == "headsets_busy"
    assert refused["detail"]
    assert [c["asset_tag"] for c in refused["clashes"]] == ["MRS-VR-01"]
    assert refused["clashes"][0]["held_by"].startswith("Atelier (")
    assert refused["free"] == ["MRS-XR-06"]  # the other one not held by the workshop
    assert refused["nearest_window"]["starts_at"]


def test_a_group_whose_oldest_is_under_13_answers_422_with_a_clear_message(
        client, world, manager):
    answer = client.post("/api/v1/group-sessions", json=body(world, min_age=10, max_age=12),
                         headers={**manager, "Accept-Language": "en"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "under_13"
    assert answer.json()["detail"] == ("Nobody under 13 may wear a headset: a group whose "
                                       "oldest member is under 13 cannot be planned.")
    assert set(answer.json()["fields"]) == {"max_age"}


def test_minors_without_their_adult_answer_422_naming_the_fields(client, world, manager):
    answer = plan(client, world, manager, accompanying_adult="",
                  minors_authorisation_holder="")
    assert answer.status_code == 422
    assert set(answer.json()["fields"]) == {"accompanying_adult", "minors_authorisation_holder"}


def test_facilitators_run_sessions_but_do_not_plan_them(client, world, facilitator):
    assert plan(client, world, facilitator).status_code == 403


def test_staff_of_another_centre_neither_plan_nor_see(client, world, manager, make_token):
    made = plan(client, world, manager).json()
    other = {"Authorization": f"Bearer {make_token(GAP_FACILITATOR)}"}
    assert client.get(f"/api/v1/group-sessions/{made['id']}", headers=other).status_code == 403
    listed = client.get("/api/v1/group-sessions", headers=other).json()
    assert listed == {"items": [], "total": 0}


def test_listing_reading_and_a_date_range(client, world, manager, facilitator):
    first = plan(client, world, manager).json()
    plan(client, world, manager, days=10, headsets=2)
    day = (centre_today(world.marseille) + timedelta(days=3)).isoformat()
    found = client.get(f"/api/v1/group-sessions?centre=marseille&from={day}&to={day}",
                       headers=facilitator).json()
    assert found["total"] == 1
    assert found["items"][0]["id"] == first["id"]
    assert client.get("/api/v1/group-sessions?limit=1", headers=facilitator).json()[
        "total"] == 2
    one = client.get(f"/api/v1/group-sessions/{first['id']}", headers=facilitator).json()
    assert {"allocations", "roster", "rotation"} <= set(one)
    assert one["allocations"][0]["asset_tag"] == "MRS-VR-01"
    assert client.get("/api/v1/group-sessions/99999", headers=facilitator).status_code == 404


def test_patch_changes_the_plan_and_reserves_again(client, world, manager, db):
    made = plan(client, world, manager).json()
    answer = client.patch(f"/api/v1/group-sessions/{made['id']}", headers=manager,
                          json={"headsets": 4, "title": "3e B — industrie"})
    assert answer.status_code == 200
    changed = answer.json()
    assert (changed["title"], len(changed["allocated"])) == ("3e B — industrie", 4)
    assert changed["rotation"]["rounds"] == 7
    assert {w["code"] for w in changed["rotation"]["warnings"]} == {"window_too_short",
                                                                    "battery"}
    assert len(db.exec(select(Allocation)).all()) == 4
    bad = client.patch(f"/api/v1/group-sessions/{made['id']}", headers=manager,
                       json={"max_age": 12, "min_age": 10})
    assert (bad.status_code, bad.json()["code"]) == (422, "under_13")


def test_cancel_frees_the_headsets_and_is_idempotent(client, world, manager, db):
    made = plan(client, world, manager).json()
    for _ in range(2):
        answer = client.post(f"/api/v1/group-sessions/{made['id']}/cancel", headers=manager)
        assert (answer.status_code, answer.json()["status"]) == (200, "cancelled")
    assert answer.json()["allocated"] == []
    assert plan(client, world, manager).status_code == 201


def test_participants_are_added_all_or_none(client, world, manager, facilitator):
    made = plan(client, world, manager).json()
    url = f"/api/v1/group-sessions/{made['id']}/participants"
    bad = client.post(url, headers=facilitator, json={"participants": [
        {"name": "Ana", "age_band": "13-17"}, {"name": "bo@example.org"}]})
    assert bad.status_code == 422
    good = client.post(url, headers=facilitator, json={"participants": [
        {"name": "Ana", "age_band": "13-17"}, {"code": "3B-07", "age_band": "0-12"}]})
    assert good.status_code == 201
    assert good.json()["total"] == 2
    roster = client.get(f"/api/v1/group-sessions/{made['id']}", headers=facilitator).json()[
        "roster"]
    assert [(p["name"], p["age_band"]) for p in roster] == [("Ana", "13-17"), ("", "0-12")]


def test_close_answers_409_without_a_debrief(client, world, manager, facilitator, db):
    made = plan(client, world, manager).json()
    group = db.get(VRSession, made["id"])
    group.starts_at -= timedelta(days=4)  # it took place
    group.ends_at -= timedelta(days=4)
    db.add(group)
    db.commit()
    url = f"/api/v1/group-sessions/{made['id']}/close"
    refused = client.post(url, headers=facilitator, json={
        "debrief": "", "videos_watched": [], "attendance": 26})
    assert (refused.status_code, refused.json()["code"]) == (409, "debrief_required")
    closed = client.post(url, headers=facilitator, json={
        "debrief": "Curious class.", "videos_watched": [], "attendance": 26})
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["attendance"]) == ("closed", 26)


def test_the_openapi_document_publishes_the_routes_and_the_409(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    assert {"/api/v1/group-sessions", "/api/v1/group-sessions/{group_id}",
            "/api/v1/group-sessions/{group_id}/cancel",
            "/api/v1/group-sessions/{group_id}/participants",
            "/api/v1/group-sessions/{group_id}/close"} <= set(paths)
    assert {"get", "post"} <= set(paths["/api/v1/group-sessions"])
    assert {"get", "patch"} <= set(paths["/api/v1/group-sessions/{group_id}"])
    busy = paths["/api/v1/group-sessions"]["post"]["responses"]["409"]
    schema = busy["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"detail", "code", "clashes", "free"} <= set(
        spec["components"]["schemas"][schema]["properties"])
