"""The Today page through HTTP: the board, check-in by typed code, walk-ins, no-shows."""

import re
from datetime import datetime, timedelta

import pytest
from babel.dates import format_time
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import Transactions, book, csrf_from, login
from vr_booking.models import Booking, Participant
from vr_booking.services.timeutil import to_local

HX = {"HX-Request": "true"}


def hhmm(instant: datetime) -> str:
    """A time as the English pages show it in Paris (Babel's short format)."""
    return format_time(to_local(instant, "Europe/Paris"), "short", locale="en")


@pytest.fixture
def hub(make_open_access, make_staff):
    """3 headsets with 1 kept for walk-ins (2 bookable seats a slot), a facilitator."""
    open_access = make_open_access("hub", headsets=3, reserve=1)
    make_staff("fac@example.org", centres=("hub",))
    return open_access


@pytest.fixture
def desk(client: TestClient, hub, db: Session, time_machine):
    """Ana and Ben booked the first slot; the clock is 5 minutes before it; signed in."""
    slot = hub.slots[0]
    hub.people = [book(db, slot, "Ana"), book(db, slot, "Ben")]
    time_machine.move_to(slot.starts_at - timedelta(minutes=5), tick=False)
    assert login(client, "fac@example.org").status_code == 303
    return hub


def status_of(db: Session, booking: Booking) -> str:
    """The status the app stored (a fresh read, not the test session's copy)."""
    db.commit()
    return db.exec(select(Booking.status).where(Booking.id == booking.id)).one()


def today_url(query: str = "?lang=en") -> str:
    return f"/staff/centres/hub/today{query}"


def post_code(client: TestClient, code: str, headers: dict | None = None):
    token = csrf_from(client, today_url())
    return client.post("/staff/centres/hub/today/checkins?lang=en",
                       data={"csrftoken": token, "code": code}, headers=headers or {})


def test_the_centre_page_links_to_today(client, desk):
    page = client.get("/staff/centres/hub?lang=en")
    assert '/staff/centres/hub/today"' in page.text


def test_today_lists_the_slots_people_and_seats(client, desk):
    page = client.get(today_url())
    assert page.status_code == 200
    for slot in desk.slots[:5]:
        assert f"{hhmm(slot.starts_at)}–{hhmm(slot.ends_at)}" in page.text
    assert page.text.count('<article id="slot-') == 5  # not next week's
    assert "Ana" in page.text
    assert "Ben" in page.text
    assert "Booked seats taken: 2 of 2" in page.text
    assert "Free for walk-ins: 1" in page.text
    assert '<h2 id="headsets-title">Headsets</h2>' in page.text
    assert 'data-live-url="http://testserver/staff/centres/hub/today"' in page.text
    assert 'data-live-every="10"' in page.text
    assert "/static/js/checkin.js" in page.text
    assert "/static/js/live.js" in page.text


def test_the_board_alone_is_sent_to_htmx_polls(client, desk):
    fragment = client.get(today_url(), headers=HX)
    assert fragment.text.lstrip().startswith('<div id="board"')
    assert "<html" not in fragment.text
    assert 'id="scanner"' not in fragment.text  # the camera stays out of the refresh
    assert "HX-Request" in fragment.headers["vary"]


def test_today_needs_a_signed_in_staff_of_the_centre(client: TestClient, desk, make_centre,
                                                   make_staff):
    make_centre("other")
    make_staff("out@example.org", centres=("other",))
    client.post("/staff/logout", data={"csrftoken": csrf_from(client, "/")})
    assert client.get(today_url(), follow_redirects=False).status_code == 303
    login(client, "out@example.org")
    assert client.get(today_url()).status_code == 403


def test_typing_the_code_checks_in_without_javascript(client, desk, db: Session):
    ana = desk.people[0]
    typed = f" {ana.short_code[:4].lower()}-{ana.short_code[4:].lower()} "
    response = post_code(client, typed)
    assert response.status_code == 200
    at = hhmm(desk.slots[0].starts_at - timedelta(minutes=5))
    assert f"Ana is checked in ({at})." in response.text
    assert "<html" in response.text  # the whole page, board included
    assert status_of(db, ana) == "checked_in"

    again = post_code(client, ana.short_code)
    assert again.status_code == 200
    assert f"Ana was already checked in at {at}." in again.text


def test_htmx_check_in_answers_with_the_board_and_the_message_in_the_row(client, desk):
    ben = desk.people[1]
    response = post_code(client, ben.short_code, HX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="board"')
    assert "<html" not in response.text
    row = re.search(rf'<li id="person-b{ben.id}".*?</li>', response.text, re.S).group(0)
    assert re.search(r'<div class="row-msg ok" id="msg-b\d+" tabindex="-1" data-focus>\s*'
                     r'<p>Ben is checked in', row)
    assert 'id="checkin-code"' in response.text
    assert 'aria-invalid' not in response.text


def test_without_javascript_the_answer_lands_on_the_message(client, desk):
    page = client.get(today_url()).text
    assert 'action="http://testserver/staff/centres/hub/today/checkins#msg-checkin"' in page
    answer = post_code(client, desk.people[1].short_code)
    assert 'id="msg-checkin"' in answer.text  # the form's anchor: the browser lands on it
    assert f'id="msg-b{desk.people[1].id}"' in answer.text  # and in the row that changed


@pytest.mark.parametrize("outcome", ["checked in", "refused"])
def test_the_board_answering_an_action_is_read_after_the_action_ends(client, desk, engine,
                                                                     outcome):
    """On SQLite a write transaction holds the database's single write lock: the board
    (a hub's ~40 ms) is read and drawn after the check-in is committed (or the refusal
    forgotten), in transactions that take no lock."""
    code = desk.people[1].short_code if outcome == "checked in" else "ZZZZ-ZZZZ"
    token = csrf_from(client, today_url())
    with Transactions(engine) as watched:
        response = client.post("/staff/centres/hub/today/checkins?lang=en",
                               data={"csrftoken": token, "code": code}, headers=HX)
    assert response.status_code == (200 if outcome == "checked in" else 404)
    *command, (last_reads, board) = [t for t in watched.recorded if t[1]]
    assert last_reads  # the board's transaction takes no lock...
    assert board.count("SELECT") >= 5  # ...and reads the whole board
    assert not {"INSERT", "UPDATE", "DELETE"} & set(board)
    if outcome == "checked in":
        assert any("UPDATE" in words for reads, words in command if not reads)


def _code_for(case: str, db: Session, desk) -> str:
    """A ticket code that the desk must refuse, for each reason."""
    if case == "unknown":
        return "ZZZZ-ZZZZ"
    if case == "other_day":
        return book(db, desk.slots[5], "Dan").short_code
    if case == "waitlisted":
        return book(db, desk.slots[0], "Eve").short_code  # Ana and Ben hold both seats
    cancelled = desk.people[0]
    cancelled.status = "cancelled"
    db.add(cancelled)
    db.commit()
    return cancelled.short_code


@pytest.mark.parametrize(("case", "status", "text"), [
    ("unknown", 404, "No ticket has this code."),
    ("other_day", 409, "This ticket is for"),
    ("cancelled", 409, "This booking was cancelled."),
    ("waitlisted", 409, "waiting list"),
])
def test_refusals_say_why(client, desk, db: Session, case, status, text):
    code = _code_for(case, db, desk)
    page = post_code(client, code)
    assert page.status_code == status
    assert text in page.text
    fragment = post_code(client, code, HX)
    assert fragment.status_code == status
    assert 'class="row-msg error" id="msg-checkin"' in fragment.text  # next to the field
    assert re.search(r'id="checkin-code"[^>]*aria-describedby="checkin-hint msg-checkin"'
                     r'[^>]*aria-invalid="true" data-focus', fragment.text)
    assert "<html" not in fragment.text


def test_check_in_needs_the_csrf_token(client, desk, db: Session):
    response = client.post("/staff/centres/hub/today/checkins",
                           data={"code": desk.people[0].short_code})
    assert response.status_code == 403
    assert status_of(db, desk.people[0]) == "confirmed"


def walk_in(client: TestClient, slot_id: int, **fields: str):
    token = csrf_from(client, today_url())
    return client.post("/staff/centres/hub/today/walk-ins?lang=en",
                       data={"csrftoken": token, "slot_id": str(slot_id), **fields})


def test_walk_ins_fill_the_reserve_then_are_refused(client, desk, db: Session):
    slot = desk.slots[0]
    added = walk_in(client, slot.id, age_band="13-17", gender="non_binary")
    assert added.status_code == 200
    assert "Seats left for walk-ins: 0." in added.text
    refused = walk_in(client, slot.id)
    assert refused.status_code == 409
    assert "No seat is free for a walk-in" in refused.text
    db.commit()
    people = db.exec(select(Participant).where(Participant.session_id == slot.id)).all()
    assert [(p.is_walk_in, p.age_band, p.gender) for p in people] == [
        (True, "13-17", "non_binary")]


def test_walk_in_with_an_unknown_age_band_is_refused(client, desk):
    assert walk_in(client, desk.slots[0].id, age_band="99+").status_code == 422


def test_the_page_shows_no_shows_released_after_ten_minutes(client, desk, db: Session,
                                                            time_machine):
    time_machine.move_to(desk.slots[0].starts_at + timedelta(minutes=10), tick=False)
    page = client.get(today_url(), headers=HX)
    assert "Did not come: 2" in page.text
    assert "Free for walk-ins: 3" in page.text
    # A GET never writes: the release is recorded by the next desk action (or the sweep).
    assert {status_of(db, b) for b in desk.people} == {"confirmed"}
    assert walk_in(client, desk.slots[0].id).status_code == 200
    assert {status_of(db, b) for b in desk.people} == {"no_show"}
