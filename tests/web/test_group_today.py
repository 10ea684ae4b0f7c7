"""A group on the Today page: its rounds, "all present", a round's hand-out with the usual
hand-out rules, with and without htmx."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import (
    FACILITATOR,
    add_headsets,
    charge,
    csrf_from,
    login,
    make_world,
    plan_group,
)
from vr_booking.models import HeadsetUse, Participant
from vr_booking.services.groups.roster import add_participants

TODAY = "/staff/centres/marseille/today"
HX = {"HX-Request": "true"}


@pytest.fixture
def day(db: Session, make_centre, make_staff, client: TestClient, time_machine):
    """A class of 5 (one under 13) on 2 headsets, planned for in three days; the clock is
    moved to 5 minutes after its start; the facilitator is signed in."""
    world = make_world(db, make_centre, make_staff)
    group = plan_group(db, world.marseille, kind="group_visit", min_age=12, max_age=14,
                       group_size=5, headsets=2, accompanying_adult="M. Dupont",
                       minors_authorisation_holder="Le collège").group
    add_participants(db, None, group, [{"name": n, "age_band": b} for n, b in (
        ("Ana", "13-17"), ("Bo", "13-17"), ("Cy", "13-17"), ("Dan", "13-17"),
        ("Léo", "0-12"))])
    db.commit()
    now = group.starts_at + timedelta(minutes=5)
    add_headsets(db, world.marseille, 1, prefix="MRS-XR-")
    charge(db, [*world.headsets], 100, now - timedelta(hours=1))
    time_machine.move_to(now, tick=False)
    assert login(client, FACILITATOR).status_code == 303
    return group


def post(client: TestClient, path: str, headers: dict | None = None, **data):
    token = csrf_from(client, f"{TODAY}?lang=en")
    return client.post(f"{TODAY}/{path}?lang=en", data={"csrftoken": token, **data},
                       headers=headers or {})


def test_the_group_shows_its_rounds_and_who_is_in_each(client, day):
    page = client.get(f"{TODAY}?lang=en").text
    assert f'id="group-{day.id}"' in page
    assert "Round 1" in page
    assert "Round 2" in page
    assert "Round 3" not in page
    assert "Hand out headsets to round 1" in page
    assert "Non-VR activity throughout (under 13)" in page


def test_all_present_checks_the_class_in_and_reloads_the_board(client, day, db):
    answer = post(client, f"groups/{day.id}/all-present", HX)
    assert answer.status_code == 200
    assert "5 people checked in" in answer.text
    assert 'id="board"' in answer.text  # the board, merged row by row by live.js
    assert "<html" not in answer.text  # a fragment, not the whole page
    db.commit()
    assert all(p.checked_in_at for p in db.exec(select(Participant)))


def test_a_round_gets_its_headsets_with_the_usual_rules(client, day, db):
    post(client, f"groups/{day.id}/all-present")
    answer = post(client, f"groups/{day.id}/rounds/1", HX)
    assert answer.status_code == 200
    assert "Round 1: 2 headsets handed out." in answer.text
    db.commit()
    worn = db.exec(select(Participant.display_name).join(
        HeadsetUse, HeadsetUse.participant_id == Participant.id)).all()
    assert sorted(worn) == ["Ana", "Bo"]
    again = post(client, f"groups/{day.id}/rounds/2")  # the reserved headsets are worn
    assert "Round 2: 1 headset handed out." in again.text  # the spare one goes to Cy
    assert "Dan: no headset is ready" in again.text


def test_a_round_before_check_in_says_who_is_not_there(client, day):
    answer = post(client, f"groups/{day.id}/rounds/1")
    assert "Ana: not checked in yet." in answer.text


def test_an_unknown_round_is_refused_in_the_result_block(client, day):
    answer = post(client, f"groups/{day.id}/rounds/9", HX)
    assert answer.status_code == 404
    assert "This group has no round 9." in answer.text


def test_a_group_without_a_roster_is_checked_in_by_number(client, day, db):
    for participant in db.exec(select(Participant)):
        db.delete(participant)
    db.commit()
    assert "How many are here" in client.get(f"{TODAY}?lang=en").text
    refused = post(client, f"groups/{day.id}/all-present", present="²")
    assert refused.status_code == 422
    assert "Say how many people are here (1 to 500)." in refused.text
    answer = post(client, f"groups/{day.id}/all-present", present="4")
    assert "4 people checked in" in answer.text
