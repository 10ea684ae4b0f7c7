"""Incidents on the Today page through HTTP: the rest advice, the note's warning, a refused
damage report and its confirmation."""

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from factories import Desk, book, csrf_from, give, login, make_desk, reread
from vr_booking.models import Booking, Headset, HeadsetUse

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def desk(db: Session, make_open_access, make_staff) -> Desk:
    return make_desk(db, make_open_access, make_staff)


def test_the_result_shows_the_rest_advice(client, db, desk, time_machine):
    give(db, desk, "HUB-VR-01")
    time_machine.move_to(desk.now + timedelta(minutes=4), tick=False)
    assert login(client, "fac@example.org").status_code == 303
    token = csrf_from(client, "/staff/centres/hub/today?lang=en")
    page = client.post("/staff/centres/hub/today/incidents?lang=en", headers={
        "HX-Request": "true"}, data={"csrftoken": token, "kind": "felt_unwell",
                                     "headset": "HUB-VR-01", "note": ""})
    assert page.status_code == 200
    card = re.search(r'<li id="headset-HUB-VR-01".*?</li>', page.text, re.S).group(0)
    assert re.search(r'<p class="advice"><strong>[^<]*not to drive', card)  # next to it
    assert reread(db, db.exec(select(HeadsetUse)).one()).returned_at is not None


def test_the_page_says_no_medical_details_next_to_the_note(client, db, desk, time_machine):
    give(db, desk, "HUB-VR-01")
    time_machine.move_to(desk.now + timedelta(minutes=1), tick=False)
    login(client, "fac@example.org")
    page = client.get("/staff/centres/hub/today?lang=en").text
    note = page.index('name="note"', page.index('id="unwell-'))
    assert "Never any medical detail." in page[note:note + 400]


def test_a_refused_damage_report_says_why_on_the_page(client, db, desk, time_machine):
    for name in ("Ben", "Chloé"):
        book(db, desk.slots[0], name)
    time_machine.move_to(desk.now, tick=False)
    login(client, "fac@example.org")
    token = csrf_from(client, "/staff/centres/hub/today?lang=en")
    page = client.post("/staff/centres/hub/today/incidents?lang=en", data={
        "csrftoken": token, "kind": "damage", "headset": "HUB-VR-02"})
    assert page.status_code == 409
    assert "would strand confirmed bookings" in page.text
    confirmed = client.post("/staff/centres/hub/today/incidents?lang=en", data={
        "csrftoken": token, "kind": "damage", "headset": "HUB-VR-02", "confirm": "yes"})
    assert confirmed.status_code == 200
    assert reread(db, db.get(Headset, desk.headsets[1].id)).service_state == "maintenance"
    assert db.exec(select(Booking.status).where(Booking.name == "Chloé")).one() == "waitlisted"
