"""Several desks handing out at once against a running two-worker server (SQLite or
PostgreSQL, see conftest): one headset is never worn by two people, nor one person given two.

The server runs on the real clock, so the slot here starts now. The controls send the same
requests to a server whose centre lock does nothing (``unlocked_server.py``) and see the
races happen.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, func, select

from factories import race_control, start_server, start_unlocked_server, stop_server
from vr_booking.models import HeadsetUse, utcnow
from vr_booking.services.desk.checkin import check_in
from vr_booking.services.open_access.booking import BookingInput, create_booking

DESKS = 8


@pytest.fixture
def checked_in(db: Session, make_open_access, make_slot_now, make_staff, make_token):
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
    return people, [h.asset_tag for h in open_access.headsets], auth


@pytest.fixture
def busy_desk(checked_in, db_url, tmp_path):
    server = start_server(db_url, tmp_path / "server", workers=2)
    yield server, *checked_in
    stop_server(server)


@pytest.fixture
def unlocked_desk(checked_in, db_url, tmp_path):
    server = start_unlocked_server(db_url, tmp_path / "server")
    yield server, *checked_in
    stop_server(server)


def post_all(server, auth, bodies: list[dict]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(lambda body: httpx.post(
            f"{server.url}/api/v1/handouts", json=body, headers=auth, timeout=120), bodies))


def uses(db: Session) -> int:
    db.commit()
    return db.exec(select(func.count()).select_from(HeadsetUse)).one()


def one_headset_to_everyone(people, tags) -> list[dict]:
    return [{"headset": tags[0], "code": p.short_code} for p in people]


def every_headset_to_one_person(people, tags) -> list[dict]:
    return [{"headset": tag, "token": people[0].token} for tag in tags]


def test_desks_handing_out_the_same_headset_at_once_give_it_to_one_person(busy_desk, db):
    server, people, tags, auth = busy_desk
    answers = post_all(server, auth, one_headset_to_everyone(people, tags))
    assert Counter(a.status_code for a in answers) == {201: 1, 409: DESKS - 1}
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"headset_in_use"}
    assert uses(db) == 1


@race_control
def test_control_without_the_centre_lock_one_headset_goes_to_several_people(unlocked_desk,
                                                                            db):
    server, people, tags, auth = unlocked_desk
    answers = post_all(server, auth, one_headset_to_everyone(people, tags))
    print(f"\npeople given {tags[0]} at once: {uses(db)}")
    assert Counter(a.status_code for a in answers)[201] > 1
    assert uses(db) > 1


def test_desks_handing_one_person_several_headsets_at_once_give_one(busy_desk, db):
    server, people, tags, auth = busy_desk
    answers = post_all(server, auth, every_headset_to_one_person(people, tags))
    assert Counter(a.status_code for a in answers) == {201: 1, 409: DESKS - 1}
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {
        "already_has_headset"}
    assert uses(db) == 1


@race_control
def test_control_without_the_centre_lock_one_person_gets_several_headsets(unlocked_desk, db):
    server, people, tags, auth = unlocked_desk
    answers = post_all(server, auth, every_headset_to_one_person(people, tags))
    print(f"\nheadsets given to {people[0].name} at once: {uses(db)}")
    assert Counter(a.status_code for a in answers)[201] > 1
    assert uses(db) > 1
