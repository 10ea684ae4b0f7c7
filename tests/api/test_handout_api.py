"""The desk's headset API with a staff token: hand-outs, returns, cleanings, incidents."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import Desk, arrive, book, make_desk
from vr_booking.models import Cleaning, Headset, Incident, InstalledVideo, Participant, Video


@pytest.fixture
def desk(db: Session, make_open_access, make_staff, make_token, time_machine) -> Desk:
    """Ana checked in 5 minutes before the first slot; a facilitator's token."""
    desk = make_desk(db, make_open_access, make_staff)
    desk.auth = {"Authorization": f"Bearer {make_token('fac@example.org')}"}
    time_machine.move_to(desk.now, tick=False)
    return desk


def call(client: TestClient, desk: Desk, route: str, headers: dict | None = None, **body):
    return client.post(f"/api/v1/{route}?lang=en", json=body,
                       headers=desk.auth if headers is None else headers)


def test_hand_out_return_clean(client, db, desk, time_machine):
    given = call(client, desk, "handouts", headset="hub-vr-01", code=desk.ana.short_code)
    assert given.status_code == 201
    body = given.json()
    assert (body["headset"], body["person"], body["cap_minutes"]) == ("HUB-VR-01", "Ana", 20)
    assert body["is_first_immersion"] is True
    assert body["session_id"] == desk.slots[0].id

    time_machine.move_to(desk.now + timedelta(minutes=18), tick=False)
    back = call(client, desk, "returns", headset="HUB-VR-01")
    assert back.status_code == 200
    assert (back.json()["minutes"], back.json()["usage_count"]) == (18, 1)
    assert back.json()["to_clean"] is True
    assert back.json()["watched"] == []

    cleaned = call(client, desk, "cleanings", headset="HUB-VR-01", method="wipes")
    assert cleaned.status_code == 201
    assert cleaned.json()["method"] == "wipes"
    db.commit()
    assert db.exec(select(Cleaning.method)).one() == "wipes"


def test_hand_out_by_token_or_participant_id(client, db, desk):
    assert call(client, desk, "handouts", headset="HUB-VR-01",
                token=desk.ana.token).status_code == 201
    walk_in = client.post("/api/v1/walk-ins", headers=desk.auth,
                          json={"slot_id": desk.slots[0].id})
    assert walk_in.status_code == 201
    db.commit()
    person = db.exec(select(Participant.id)).one()
    given = call(client, desk, "handouts", headset="HUB-VR-02", participant_id=person)
    assert (given.status_code, given.json()["person"]) == (201, "Walk-in 1")


def test_return_records_the_videos_watched(client, db, desk):
    video = Video(slug="kitchen", title="In a kitchen", duration_seconds=300)
    db.add(video)
    db.flush()
    db.add(InstalledVideo(headset_id=desk.headsets[0].id, video_id=video.id))
    db.commit()
    call(client, desk, "handouts", headset="HUB-VR-01", code=desk.ana.short_code)
    back = call(client, desk, "returns", headset="HUB-VR-01", videos=[video.id])
    assert back.json()["watched"] == [{"id": video.id, "title": "In a kitchen"}]


@pytest.mark.parametrize(("case", "code"), [
    ("in_use", "headset_in_use"), ("dirty", "headset_dirty"),
    ("low_charge", "headset_low_charge"), ("out", "headset_out_of_service"),
    ("elsewhere", "headset_elsewhere"), ("not_checked_in", "not_checked_in"),
    ("holding", "already_has_headset"),
])
def test_refusals_are_409_with_a_stable_code(client, db, desk, make_open_access, case, code):
    person = {"code": desk.ana.short_code}
    tag = "HUB-VR-01"
    if case in ("in_use", "dirty"):
        ben = arrive(db, desk, "Ben")
        call(client, desk, "handouts", headset=tag, code=ben.short_code)
        if case == "dirty":
            call(client, desk, "returns", headset=tag)
    elif case in ("low_charge", "out"):
        headset = db.get(Headset, desk.headsets[0].id)
        headset.charge_percent = 5 if case == "low_charge" else headset.charge_percent
        headset.service_state = "maintenance" if case == "out" else "in_service"
        db.add(headset)
        db.commit()
    elif case == "elsewhere":
        make_open_access("other", headsets=1)
        tag = "OTH-VR-01"
    elif case == "not_checked_in":
        person = {"code": book(db, desk.slots[0], "Ben").short_code}
    else:
        call(client, desk, "handouts", headset="HUB-VR-02", **person)
    answer = call(client, desk, "handouts", headset=tag, **person)
    assert answer.status_code == 409
    assert answer.json()["code"] == code
    assert answer.json()["detail"]


def test_unknown_headset_ticket_or_participant_is_404(client, desk):
    for body, code in [({"headset": "HUB-VR-99", "code": desk.ana.short_code},
                        "unknown_headset"),
                       ({"headset": "HUB-VR-01", "code": "ZZZZ-ZZZZ"}, "unknown_ticket"),
                       ({"headset": "HUB-VR-01", "participant_id": 999}, "unknown_participant")]:
        answer = call(client, desk, "handouts", **body)
        assert (answer.status_code, answer.json()["code"]) == (404, code)
    assert call(client, desk, "returns", headset="HUB-VR-99").status_code == 404


def test_returning_a_free_headset_is_409(client, desk):
    answer = call(client, desk, "returns", headset="HUB-VR-01")
    assert (answer.status_code, answer.json()["code"]) == (409, "headset_not_in_use")


def test_staff_of_another_centre_get_403(client, db, desk, make_open_access, make_staff,
                                         make_token):
    make_open_access("other", headsets=1)
    make_staff("out@example.org", centres=("other",))
    outsider = {"Authorization": f"Bearer {make_token('out@example.org')}"}
    for route, body in [("handouts", {"headset": "HUB-VR-01", "code": desk.ana.short_code}),
                        ("cleanings", {"headset": "HUB-VR-01", "method": "uvc"}),
                        ("incidents", {"kind": "damage", "headset": "HUB-VR-01"}),
                        ("incidents", {"kind": "felt_unwell", "code": desk.ana.short_code})]:
        assert call(client, desk, route, outsider, **body).status_code == 403
    call(client, desk, "handouts", headset="HUB-VR-01", code=desk.ana.short_code)
    assert call(client, desk, "returns", outsider, headset="HUB-VR-01").status_code == 403


def test_a_bearer_token_is_required(client, desk):
    for route in ("handouts", "returns", "cleanings", "incidents"):
        assert call(client, desk, route, {}, headset="HUB-VR-01").status_code == 401


@pytest.mark.parametrize(("route", "body"), [
    ("handouts", {"headset": "HUB-VR-01"}),
    ("handouts", {"headset": "HUB-VR-01", "code": "a", "participant_id": 1}),
    ("cleanings", {"headset": "HUB-VR-01", "method": "soap"}),
    ("incidents", {"kind": "fire", "headset": "HUB-VR-01"}),
    ("incidents", {"kind": "damage"}),
    ("incidents", {"kind": "other", "headset": "HUB-VR-01", "note": "x" * 501}),
])
def test_invalid_bodies_are_422(client, desk, route, body):
    assert call(client, desk, route, **body).status_code == 422


def test_felt_unwell_ends_the_immersion_and_answers_the_advice(client, db, desk):
    call(client, desk, "handouts", headset="HUB-VR-01", code=desk.ana.short_code)
    answer = call(client, desk, "incidents", kind="felt_unwell", code=desk.ana.short_code,
                  note="stopped")
    assert answer.status_code == 201
    body = answer.json()
    assert (body["kind"], body["headset"], body["person"]) == ("felt_unwell", "HUB-VR-01",
                                                               "Ana")
    assert body["immersion_ended"] is True
    assert "drive" in body["advice"]
    back = call(client, desk, "returns", headset="HUB-VR-01")
    assert back.json()["code"] == "headset_not_in_use"


@pytest.mark.parametrize(("kind", "state"), [("damage", "maintenance"), ("loss", "lost")])
def test_damage_and_loss_take_the_headset_out(client, db, desk, kind, state):
    answer = call(client, desk, "incidents", kind=kind, headset="HUB-VR-03")
    assert answer.status_code == 201
    assert (answer.json()["service_state"], answer.json()["advice"]) == (state, None)
    db.commit()
    assert db.exec(select(Incident.kind)).one() == kind


def test_a_damage_that_would_strand_bookings_is_409_unless_confirmed(client, db, desk):
    for name in ("Ben", "Chloé"):
        book(db, desk.slots[0], name)
    refused = call(client, desk, "incidents", kind="damage", headset="HUB-VR-01")
    assert (refused.status_code, refused.json()["code"]) == (409, "would_strand")
    confirmed = call(client, desk, "incidents", kind="damage", headset="HUB-VR-01",
                     confirm=True)
    assert confirmed.status_code == 201
    assert "waiting list" in confirmed.json()["message"]


def test_group_participants_check_in_by_api(client, db, desk):
    call(client, desk, "walk-ins", slot_id=desk.slots[0].id)  # a participant of the slot
    db.commit()
    person = db.exec(select(Participant.id)).one()
    answer = call(client, desk, "participant-checkins", participant_id=person)
    assert (answer.status_code, answer.json()["already"]) == (200, True)


def test_openapi_documents_the_headset_desk(client):
    spec = client.get("/api/v1/openapi.json").json()
    for route, ok in [("handouts", "201"), ("returns", "200"), ("cleanings", "201"),
                      ("incidents", "201")]:
        assert {ok, "403", "404", "409", "422"} <= set(
            spec["paths"][f"/api/v1/{route}"]["post"]["responses"])
    assert {"HandOutCreate", "HandOutPublic", "ReturnCreate", "ReturnPublic", "CleaningCreate",
            "IncidentCreate", "IncidentPublic"} <= set(spec["components"]["schemas"])
