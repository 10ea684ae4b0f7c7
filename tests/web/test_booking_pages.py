"""The visitor's pages through HTTP: home, booking form, ticket, QR code, calendar file,
change and cancel. (The bookings API: ``api/test_booking_api.py``.)"""

import re
import subprocess
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import icalendar
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import csrf_from
from vr_booking.models import Booking, Job, OutboxMessage


def form(client: TestClient, slot_id: int, **fields) -> dict:
    data = {"csrftoken": csrf_from(client, f"/book/{slot_id}"), "name": "Ana",
            "age_confirmed": "true", "health_ack": "true"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_home_shows_seats_left_and_a_book_link(client: TestClient, make_open_access):
    oa = make_open_access(headsets=3, reserve=1)
    page = client.get("/?lang=en")
    assert "2 seats left" in page.text
    assert f"/book/{oa.slots[0].id}" in page.text


def test_home_refresh_fragment_is_only_the_calendar(client: TestClient, make_open_access):
    make_open_access()
    fragment = client.get("/", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="calendar"')
    assert "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["vary"]


def test_booking_form_errors_are_next_to_the_fields(client, db: Session, make_open_access):
    slot = make_open_access().slots[0]
    response = client.post(f"/book/{slot.id}?lang=en", data=form(
        client, slot.id, name="", email="nope", age_confirmed=None, health_ack=None))
    assert response.status_code == 422
    for field in ("name", "email", "age_confirmed", "health_ack"):
        assert f'id="{field}-error"' in response.text
        assert re.search(f'id="{field}"[^>]*aria-invalid="true"', response.text, re.S)
    assert 'value="nope"' in response.text  # what the visitor typed is kept
    assert db.exec(select(Booking)).all() == []


def test_booking_then_ticket_then_cancel(client: TestClient, db: Session, demo,
                                         make_open_access):
    slot = make_open_access(slug="test-hub").slots[0]
    job = db.exec(select(Job)).first()
    db.commit()  # end the read: SQLite would keep showing this snapshot
    response = client.post(f"/book/{slot.id}", data=form(
        client, slot.id, email="ana@example.org", job_ids=str(job.id)), follow_redirects=False)
    assert response.status_code == 303
    token = response.headers["location"].rsplit("/", 1)[1]
    ticket = client.get(f"/b/{token}?lang=en")
    assert "Confirmed" in ticket.text
    assert job.title_en in ticket.text  # the job's English title, on an English page
    booking = db.exec(select(Booking)).one()
    assert booking.browser_key  # the form set a browser cookie
    assert db.exec(select(OutboxMessage.to_address)).all() == ["ana@example.org"]

    cancel = client.post(f"/b/{token}/cancel", data={"csrftoken": client.cookies["csrftoken"]},
                         follow_redirects=False)
    assert cancel.status_code == 303
    db.commit()
    db.refresh(booking)
    assert booking.status == "cancelled"


def test_cancel_needs_csrf(client: TestClient, db: Session, make_open_access):
    slot = make_open_access().slots[0]
    location = client.post(f"/book/{slot.id}", data=form(client, slot.id),
                           follow_redirects=False).headers["location"]
    assert client.post(f"{location}/cancel").status_code == 403
    assert db.exec(select(Booking.status)).one() == "confirmed"


def test_qr_code_decodes_to_the_ticket_url(client: TestClient, make_open_access, tmp_path):
    slot = make_open_access().slots[0]
    location = client.post(f"/book/{slot.id}", data=form(client, slot.id),
                           follow_redirects=False).headers["location"]
    png = client.get(f"{location}/qr.png")
    assert png.headers["content-type"] == "image/png"
    path = Path(tmp_path) / "qr.png"
    path.write_bytes(png.content)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == location == f"http://testserver/b/{location.rsplit('/', 1)[1]}"
    svg = client.get(f"{location}/qr.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith("<?xml") or "<svg" in svg.text[:200]


def test_ics_parses_back_with_the_paris_time_zone(client: TestClient, make_open_access):
    slot = make_open_access().slots[0]
    location = client.post(f"/book/{slot.id}", data=form(client, slot.id),
                           follow_redirects=False).headers["location"]
    ics = client.get(f"{location}/ticket.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(ics.content)
    event = next(iter(calendar.walk("VEVENT")))
    start = event.decoded("dtstart")
    assert start.tzinfo is not None
    assert str(start.tzinfo) == "Europe/Paris"
    assert start == slot.starts_at
    assert (start.hour, start.minute) == (14, 0)
    assert event.decoded("dtend") - start == timedelta(minutes=20)
    assert calendar.walk("VTIMEZONE")
    assert "TZID=Europe/Paris" in ics.text


def test_change_page_moves_the_booking(client: TestClient, db: Session, make_open_access):
    oa = make_open_access()
    location = client.post(f"/book/{oa.slots[0].id}", data=form(client, oa.slots[0].id),
                           follow_redirects=False).headers["location"]
    page = client.get(f"{location}/change")
    assert f'value="{oa.slots[1].id}"' in page.text
    moved = client.post(f"{location}/change", data={
        "csrftoken": client.cookies["csrftoken"], "slot_id": oa.slots[1].id},
        follow_redirects=False)
    assert moved.status_code == 303
    assert db.exec(select(Booking.session_id)).one() == oa.slots[1].id


def test_unknown_ticket_is_a_404_page(client: TestClient):
    response = client.get("/b/not-a-real-token")
    assert response.status_code == 404
    assert 'class="site-header"' in response.text


def test_absurd_ids_are_refused_not_crashed(client: TestClient, make_open_access):
    slot = make_open_access().slots[0]
    assert client.get(f"/book/{2**63}").status_code == 422
    assert client.get("/api/v1/centres", params={"offset": 2**63}).status_code == 422
    response = client.post(f"/book/{slot.id}", data=form(client, slot.id,
                                                            job_ids=str(2**63)),
                           follow_redirects=False)
    assert response.status_code == 303  # the absurd job id is ignored, the booking made


def _booked(client: TestClient, make_open_access) -> str:
    slot = make_open_access().slots[0]
    return client.post(f"/book/{slot.id}", data=form(client, slot.id),
                       follow_redirects=False).headers["location"]


def test_cancelling_asks_first_and_a_cancelled_ticket_says_so(client: TestClient, db: Session,
                                                              make_open_access):
    ticket = _booked(client, make_open_access)
    page = client.get(f"{ticket}?lang=en").text
    assert f'href="{ticket}/cancel">Cancel my booking…</a>' in page
    assert 'action="' + ticket + '/cancel"' not in page  # no one-click cancel on the ticket
    question = client.get(f"{ticket}/cancel?lang=en")
    assert "Cancel your booking?" in question.text
    assert "Yes, cancel my booking" in question.text
    assert db.exec(select(Booking.status)).one() == "confirmed"  # asking changed nothing

    client.post(f"{ticket}/cancel", data={"csrftoken": client.cookies["csrftoken"]})
    cancelled = client.get(f"{ticket}?lang=en").text
    assert "<h1>Cancelled booking</h1>" in cancelled
    assert "this ticket is no longer valid" in cancelled
    for gone in ("Arrive 5 minutes early", "it is your ticket", 'class="code"', "qr.svg",
                 "Choose another session"):
        assert gone not in cancelled
    assert client.get(f"{ticket}/cancel", follow_redirects=False).status_code == 303


def test_the_change_page_of_a_cancelled_booking_offers_no_move(client: TestClient, db: Session,
                                                               make_open_access):
    ticket = _booked(client, make_open_access)
    active = client.get(f"{ticket}/change?lang=en").text
    assert "Move here" in active
    levels = [int(n) for n in re.findall(r"<h([1-6])", active)]
    assert all(b - a <= 1 for a, b in pairwise(levels))  # h1, h2, h3
    client.post(f"{ticket}/cancel", data={"csrftoken": client.cookies["csrftoken"]})
    page = client.get(f"{ticket}/change?lang=en").text
    assert "This booking is cancelled, so it cannot move" in page
    assert "Move here" not in page
