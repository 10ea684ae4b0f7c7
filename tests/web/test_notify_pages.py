"""Pages of notifications and privacy through HTTP: the one-click decline, the seat offer
and the erasure on the ticket, the data download, the entrance screen, the jobs page."""

import json
import subprocess
from datetime import UTC, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import (
    csrf_from,
    login,
    post_form,
    slot_at,
    text_columns_containing,
    visitor,
)
from vr_booking.models import Booking, OutboxMessage
from vr_booking.services.mail import MAX_ATTEMPTS
from vr_booking.services.timeutil import local_to_utc


def status(db: Session, booking: Booking) -> str:
    db.commit()
    db.refresh(booking)
    return booking.status


def test_the_decline_link_opens_a_page_and_only_its_button_cancels(client, db,
                                                                   make_open_access):
    slot = make_open_access(headsets=1).slots[0]
    ana = visitor(db, slot, "Ana", "ana@example.org")
    bea = visitor(db, slot, "Bea", "bea@example.org", status="waitlisted")
    page = client.get(f"/b/{ana.token}/decline?lang=en")
    assert page.status_code == 200
    assert "Free my seat" in page.text
    assert status(db, ana) == "confirmed"  # opening the link changes nothing
    done = post_form(client, f"/b/{ana.token}/decline", follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].endswith(f"/b/{ana.token}?done=cancelled")
    assert status(db, ana) == "cancelled"
    assert status(db, bea) == "confirmed"  # next week: the seat is given at once
    again = client.get(f"/b/{ana.token}/decline?lang=en")
    assert "already cancelled" in again.text


def test_the_decline_button_needs_the_csrf_token(client, db, make_open_access):
    ana = visitor(db, make_open_access().slots[0], "Ana", "ana@example.org")
    assert client.post(f"/b/{ana.token}/decline").status_code == 403
    assert status(db, ana) == "confirmed"


def test_the_ticket_shows_an_offer_to_take(client, db, make_open_access):
    slot = make_open_access(headsets=1).slots[0]
    bea = visitor(db, slot, "Bea", "bea@example.org", status="offered")
    bea.offer_expires_at = slot.starts_at - timedelta(hours=1)
    db.add(bea)
    db.commit()
    ticket = client.get(f"/b/{bea.token}?lang=en")
    assert "A seat is free for you" in ticket.text
    assert f'action="http://testserver/b/{bea.token}/accept"' in ticket.text
    taken = post_form(client, f"/b/{bea.token}/accept", follow_redirects=False)
    assert taken.headers["location"].endswith("?done=accepted")
    assert status(db, bea) == "confirmed"
    assert "The seat is yours" in client.get(f"/b/{bea.token}?done=accepted&lang=en").text


def _book_through_the_form(client: TestClient, slot_id: int) -> str:
    response = client.post(f"/book/{slot_id}", data={
        "csrftoken": csrf_from(client, f"/book/{slot_id}"), "name": "Zéphyrine Quasimodo",
        "email": "zephyrine.q@example.org", "age_confirmed": "true", "health_ack": "true"},
        follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"].rsplit("/", 1)[1]


def test_erasing_from_the_ticket_asks_first_then_leaves_nothing_personal(client, db,
                                                                         make_open_access):
    slot = make_open_access().slots[0]
    token = _book_through_the_form(client, slot.id)
    needles = ["Zéphyrine", "zephyrine.q@example.org"]
    db.commit()
    key = db.exec(select(Booking.browser_key)).one()
    confirm = client.get(f"/b/{token}/erase?lang=en")
    assert "This cannot be undone." in confirm.text
    assert text_columns_containing(db, needles) != []  # the confirmation page erased nothing
    erased = post_form(client, f"/b/{token}/erase", follow_redirects=False)
    assert erased.headers["location"].endswith("?done=erased")
    assert text_columns_containing(db, [*needles, key]) == []
    assert db.exec(select(Booking.status, Booking.session_id)).one() == ("confirmed", slot.id)
    ticket = client.get(f"/b/{token}?done=erased&lang=en")
    assert "Your personal data is erased from this booking." in ticket.text
    assert "Zéphyrine" not in ticket.text
    assert "Erase my personal data" not in ticket.text


def test_what_is_stored_downloads_as_a_json_file(client, db, make_open_access):
    token = _book_through_the_form(client, make_open_access().slots[0].id)
    download = client.get(f"/b/{token}/data.json")
    assert download.headers["content-disposition"] == (
        'attachment; filename="my-vr-booking.json"')
    assert download.headers["cache-control"] == "no-store"
    data = json.loads(download.content)
    assert (data["booking"]["name"], data["booking"]["email"]) == (
        "Zéphyrine Quasimodo", "zephyrine.q@example.org")
    assert data["booking"]["has_browser_key"] is True
    assert [e["to"] for e in data["emails"]] == ["zephyrine.q@example.org"]
    assert data["session"]["centre"] == "hub"


# --- the entrance screen --------------------------------------------------------------------

MORNING = datetime(2027, 1, 13, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Paris


@pytest.fixture
def screen(db, make_open_access, time_machine):
    """A Wednesday morning at the hub: two slots this afternoon (2 headsets), and the
    weekly rule's slots next Wednesday."""
    time_machine.move_to(MORNING, tick=False)
    oa = make_open_access(headsets=2)
    today = [slot_at(db, oa.centre, local_to_utc(MORNING.date(), at, "Europe/Paris"))
             for at in (time(11, 0), time(15, 0))]
    return oa, today


def test_the_screen_shows_places_left_and_no_personal_data(client, db, screen):
    _oa, (first, _second) = screen
    visitor(db, first, "Zéphyrine Quasimodo", "zephyrine.q@example.org")
    page = client.get("/centres/hub/places")  # no sign-in; in French by default
    assert page.status_code == 200
    assert "Zéphyrine" not in page.text
    board = page.text[page.text.index('id="board"'):]
    assert board.index("11:00") < board.index("1 place libre") < board.index("15:00")
    assert "2 places libres" in board
    assert "Mercredi 20 janvier 2027" in board  # the next open day
    assert f"places/qr.svg?slot={first.id}" in board
    assert "Scannez pour réserver la séance de 11:00" in board
    assert 'http-equiv="refresh"' in page.text  # without JavaScript, the page reloads


def test_the_screen_refreshes_as_a_fragment(client, screen):
    fragment = client.get("/centres/hub/places", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="board"')
    assert "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["vary"]


def test_the_qr_code_leads_to_the_next_place_or_a_waiting_list(client, db, screen, tmp_path):
    oa, (first, second) = screen
    for n in range(2):
        visitor(db, first, f"Visitor {n}")
    page = client.get("/centres/hub/places").text
    assert "Complet" in page
    assert "Scannez pour réserver la séance de 15:00" in page
    svg = client.get(f"/centres/hub/places/qr.svg?slot={second.id}")
    assert svg.headers["content-type"] == "image/svg+xml"
    path = tmp_path / "qr.svg"
    path.write_bytes(svg.content)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == f"http://testserver/book/{second.id}"
    for n in range(2):
        visitor(db, second, f"Later {n}")
    for slot in oa.slots:
        for n in range(2):
            visitor(db, slot, f"Next {n}")
    full = client.get("/centres/hub/places").text
    assert "Scannez pour vous inscrire sur la liste d'attente de 11:00" in full


def test_the_screens_bad_addresses_are_refused(client, db, screen, make_centre):
    _oa, (first, _second) = screen
    other = make_centre("other")
    assert client.get("/centres/nowhere/places").status_code == 404
    assert client.get(f"/centres/{other.slug}/places/qr.svg?slot={first.id}").status_code == 404
    assert client.get("/centres/hub/places/qr.svg?slot=²").status_code == 422
    assert client.get(f"/centres/hub/places/qr.svg?slot={2**63}").status_code == 422


# --- the jobs page --------------------------------------------------------------------------

def test_the_jobs_page_is_for_administrators(client, make_staff, make_centre):
    make_centre("hub")
    make_staff("manager@example.org", role="manager", centres=("hub",))
    make_staff("admin@example.org", role="admin")
    anonymous = client.get("/staff/periodic-jobs", follow_redirects=False)
    assert anonymous.status_code == 303
    assert "/staff/login" in anonymous.headers["location"]
    login(client, "manager@example.org")
    assert client.get("/staff/periodic-jobs").status_code == 403
    client.post("/staff/logout", data={"csrftoken": client.cookies["csrftoken"]})
    login(client, "admin@example.org")
    page = client.get("/staff/periodic-jobs?lang=en")
    assert page.status_code == 200
    for label in ("E-mail delivery", "Visitors' reminders", "Erasing expired personal data"):
        assert label in page.text
    assert "Background jobs and outbox" in client.get("/staff?lang=en").text


@pytest.mark.parametrize("htmx", [False, True])
def test_a_failed_message_has_a_retry_button(client, db, make_staff, htmx):
    make_staff("admin@example.org", role="admin")
    message = OutboxMessage(to_address="x@example.org", subject="Your VR session is booked",
                            body_text="…", attempts=MAX_ATTEMPTS,
                            last_error="550 5.1.1 mailbox unavailable")
    db.add(message)
    db.commit()
    login(client, "admin@example.org")
    page = client.get("/staff/periodic-jobs?lang=en")
    assert "550 5.1.1 mailbox unavailable" in page.text
    assert "delivery gave up" in page.text
    url = f"/staff/periodic-jobs/outbox/{message.id}/retry"
    headers = {"HX-Request": "true"} if htmx else {}
    answer = post_form(client, url, headers=headers, follow_redirects=False)
    if htmx:
        assert answer.text.lstrip().startswith(f'<li id="message-{message.id}"')
        assert "Remis en attente" in answer.text
    else:
        assert answer.status_code == 303
        assert client.get(answer.headers["location"] + "&lang=en").text.count(
            "The message is queued again") == 1
    db.commit()
    db.refresh(message)
    assert (message.attempts, message.last_error) == (0, "")
