"""Several desks handing out at once against a running two-worker server (SQLite or
PostgreSQL, see conftest): one headset is never worn by two people, nor one person given two.

The server runs on the real clock, so the slot here starts now.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, func, select

from conftest import start_server, stop_server
from vr_booking.models import HeadsetUse, utcnow
from vr_booking.services.desk.checkin import check_in
from vr_booking.services.open_access.booking import BookingInput, create_booking

DESKS = 8


@pytest.fixture
def busy_desk(db: Session, db_url, tmp_path, make_open_access, make_slot_now, make_staff,
              make_token):
    """A slot starting now, DESKS charged headsets and DESKS people checked in; a token."""
    open_access = make_open_access("hub", headsets=DESKS)
    slot = make_slot_now(open_access, charged=True)
    start = slot.starts_at
    staff = make_staff("fac@example.org", centres=("hub",))
    people = []
    for n in range(DESKS):
        booking = create_booking(db, BookingInput(slot_id=slot.id, name=f"Visitor {n}",
                                                  age_confirmed=True, health_ack=True),
                                 start - timedelta(hours=1)).booking
        check_in(db, staff, utcnow(), code=booking.short_code)
        people.append(booking)
    db.commit()
    auth = {"Authorization": f"Bearer {make_token('fac@example.org')}"}
    server = start_server(db_url, tmp_path / "server", workers=2)
    yield server, people, [h.asset_tag for h in open_access.headsets], auth
    stop_server(server)


def post_all(server, auth, bodies: list[dict]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(lambda body: httpx.post(
            f"{server.url}/api/v1/handouts", json=body, headers=auth, timeout=120), bodies))


def uses(db: Session) -> int:
    db.commit()
    return db.exec(select(func.count()).select_from(HeadsetUse)).one()


def test_desks_handing_out_the_same_headset_at_once_give_it_to_one_person(busy_desk, db):
    server, people, tags, auth = busy_desk
    answers = post_all(server, auth, [{"headset": tags[0], "code": p.short_code}
                                      for p in people])
    assert Counter(a.status_code for a in answers) == {201: 1, 409: DESKS - 1}
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"headset_in_use"}
    assert uses(db) == 1


def test_desks_handing_one_person_several_headsets_at_once_give_one(busy_desk, db):
    server, people, tags, auth = busy_desk
    answers = post_all(server, auth, [{"headset": tag, "token": people[0].token}
                                      for tag in tags])
    assert Counter(a.status_code for a in answers) == {201: 1, 409: DESKS - 1}
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {
        "already_has_headset"}
    assert uses(db) == 1
