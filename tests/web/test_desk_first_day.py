"""The desk on a first day (issue 9 items 2 and 5): charge recorded from the Today page,
the headset page leading back to it, and no contradiction between what the desk says and
what it can do (a full charge flagged red, free seats without ready headsets, a visitor
whose headset came back offered another one)."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from factories import (
    Desk,
    arrive,
    charge,
    csrf_from,
    give,
    login,
    make_desk,
    reread,
    take_back,
    workshop,
)
from vr_booking.models import Headset

HX = {"HX-Request": "true"}
TODAY = "/staff/centres/hub/today"


@pytest.fixture
def desk(db: Session, make_open_access, make_staff, client: TestClient, time_machine) -> Desk:
    """Ana checked in; 3 headsets charged an hour ago; the clock 5 min before the slot."""
    desk = make_desk(db, make_open_access, make_staff)
    time_machine.move_to(desk.now, tick=False)
    assert login(client, "fac@example.org").status_code == 303
    return desk


def post(client: TestClient, action: str, headers: dict | None = None, **data):
    token = csrf_from(client, f"{TODAY}?lang=en")
    return client.post(f"{TODAY}/{action}?lang=en", data={"csrftoken": token, **data},
                       headers=headers or {})


def row(page: str, element_id: str) -> str:
    return re.search(rf'<li id="{element_id}".*?</li>', page, re.S).group(0)


def test_uncharged_headsets_are_charged_from_today_one_or_all(client, db, desk):
    charge(db, desk.headsets, None, None)
    page = client.get(f"{TODAY}?lang=en").text
    assert "Charge not recorded" in row(page, "headset-HUB-VR-01")
    assert "No headset is ready for Ana" in row(page, f"person-b{desk.ana.id}")

    one = post(client, "charges", HX, headset="HUB-VR-02")
    card = row(one.text, "headset-HUB-VR-02")
    assert "HUB-VR-02 is recorded at 100 %." in card
    assert "Free" in card
    assert re.search(r'<option value="HUB-VR-02">HUB-VR-02 \(suggested\)',
                     row(one.text, f"person-b{desk.ana.id}"))

    give(db, desk, "HUB-VR-02")
    every = post(client, "charges", HX)
    assert "2 headsets are recorded at 100 %." in every.text  # not the one being worn
    assert re.search(r'id="msg-charge-all" tabindex="-1" data-focus', every.text)
    assert reread(db, db.get(Headset, desk.headsets[0].id)).charge_percent == 100


def test_a_worn_headset_is_not_recorded_as_charged(client, db, desk):
    give(db, desk, "HUB-VR-01")
    refused = post(client, "charges", headset="HUB-VR-01")
    assert refused.status_code == 409
    assert "HUB-VR-01 is being worn" in row(refused.text, "headset-HUB-VR-01")


def test_the_headset_page_leads_back_to_today(client, desk):
    page = client.get("/staff/headsets/HUB-VR-01?lang=en").text
    assert 'href="http://testserver/staff/centres/hub/today">← Today at Hub</a>' in page


def test_a_full_charge_is_not_flagged_red_for_a_use_longer_than_a_charge(client, db, desk):
    workshop(db, desk.centre, desk.headsets[0], timedelta(days=2), minutes=120)
    charge(db, [desk.headsets[0]], 100, desk.now)
    page = client.get("/staff/headsets/HUB-VR-01?lang=en").text
    assert 'class="alert error" id="charge-warning"' not in page
    assert re.search(r'class="alert advice" id="charge-warning">\s*The next use lasts 120 min, '
                     r'longer than a full charge gives \(105 min', page)
    workshop(db, desk.centre, desk.headsets[1], timedelta(days=2), minutes=60)
    assert 'id="charge-warning"' not in client.get("/staff/headsets/HUB-VR-02").text
    charge(db, [desk.headsets[1]], 40, desk.now)  # 48 min left: not enough for 60 + 15
    red = client.get("/staff/headsets/HUB-VR-02?lang=en").text
    assert 'class="alert error" id="charge-warning"' in red


def test_a_finished_immersion_is_not_offered_another_headset(client, db, desk):
    give(db, desk, "HUB-VR-01")
    take_back(db, desk, "HUB-VR-01", desk.now + timedelta(minutes=12))
    person = row(client.get(f"{TODAY}?lang=en").text, f"person-b{desk.ana.id}")
    assert "Immersion done: 12 min with HUB-VR-01" in person
    assert re.search(r'<details id="again-b\d+"', person)  # only when asked (cut short)
    assert "<details id" in person.split("<select", 1)[0]  # the list sits inside it


def test_free_seats_and_ready_headsets_do_not_contradict(client, db, desk):
    arrive(db, desk, "Ben")
    charge(db, desk.headsets[1:], None, None)  # one headset ready, two people waiting
    head = re.search(r'<header id="slot-\d+-head".*?</header>',
                     client.get(f"{TODAY}?lang=en").text, re.S).group(0)
    assert "Free for walk-ins: 1" in head
    assert "Only 0 headsets are ready for walk-ins now: clean or charge the others." in head
