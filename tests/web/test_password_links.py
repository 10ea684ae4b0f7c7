"""Set-password and reset links end to end: the e-mail goes through a real SMTP server
(aiosmtpd), the link in it sets the password once, expires, and "forgot password" answers
the same whether or not the address exists."""

from datetime import timedelta
from urllib.parse import urlsplit

import time_machine
from fastapi.testclient import TestClient
from sqlmodel import select

from factories import ADMIN, GAP_FACILITATOR, login, password_link, post_form
from vr_booking.models import AuditEvent, OutboxMessage, utcnow
from vr_booking.services.mail import deliver_outbox

NEW_PASSWORD = "granite meadow kettle"


def _deliver(engine, settings, port: int) -> None:
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    assert deliver_outbox(engine, settings, utcnow()) >= 1


def _choose(client, path: str, password: str = NEW_PASSWORD):
    client.get(path)  # the CSRF cookie, as a browser gets it
    return post_form(client, path, {"password": password, "password_again": password})


def test_an_invitation_arrives_by_smtp_and_its_link_works_once(app, client, db, engine,
                                                             settings, network, smtp_inbox):
    inbox, port = smtp_inbox, smtp_inbox.port
    login(client, ADMIN)
    post_form(client, "/staff/admin/staff/new", {
        "email": "nadia@example.org", "name": "Nadia", "role": "facilitator",
        "centres": ["gap"]})
    _deliver(engine, settings, port)
    [mail] = inbox.messages
    assert mail["To"] == "nadia@example.org"
    path = urlsplit(inbox.link("nadia@example.org")).path
    client.cookies.clear()
    form = client.get(path)
    assert form.status_code == 200
    assert form.headers["referrer-policy"] == "no-referrer"
    assert "nadia@example.org" in form.text
    weak = _choose(client, path, "1234567890")
    assert weak.status_code == 422
    assert 'id="password-error"' in weak.text
    assert _choose(client, path).status_code == 200
    assert login(client, "nadia@example.org", NEW_PASSWORD).status_code == 303
    assert _choose(client, path, "another long phrase").status_code == 404  # used once
    assert client.get(path).status_code == 404
    db.commit()
    assert "staff.password_set" in db.exec(select(AuditEvent.action)).all()


def test_a_link_stops_working_when_it_expires(client, db, network, smtp_inbox, engine,
                                              settings):
    inbox, port = smtp_inbox, smtp_inbox.port
    login(client, ADMIN)
    post_form(client, f"/staff/admin/staff/{network.staff[GAP_FACILITATOR].id}/send-link")
    _deliver(engine, settings, port)
    path = urlsplit(inbox.link(GAP_FACILITATOR)).path
    client.cookies.clear()
    with time_machine.travel(utcnow() + timedelta(minutes=61)):
        expired = _choose(client, path)
    assert expired.status_code == 404
    assert "/staff/password/forgot" in expired.text
    assert login(client, GAP_FACILITATOR, NEW_PASSWORD).status_code == 401


def test_forgot_password_gives_the_same_answer_for_any_address(client, db, network,
                                                               smtp_inbox, engine, settings):
    inbox, port = smtp_inbox, smtp_inbox.port
    assert "/staff/password/forgot" in client.get("/staff/login").text
    known = post_form(client, "/staff/password/forgot", {"email": GAP_FACILITATOR})
    unknown = post_form(client, "/staff/password/forgot", {"email": "nobody@example.org"})
    again = post_form(client, "/staff/password/forgot", {"email": GAP_FACILITATOR})
    assert known.status_code == unknown.status_code == again.status_code == 200
    assert known.text.replace(GAP_FACILITATOR, "") == unknown.text.replace(
        "nobody@example.org", "")
    db.commit()
    assert db.exec(select(OutboxMessage.to_address)).all() == [GAP_FACILITATOR]  # one link
    _deliver(engine, settings, port)
    path = urlsplit(inbox.link(GAP_FACILITATOR)).path
    assert _choose(client, path).status_code == 200
    assert login(client, GAP_FACILITATOR, NEW_PASSWORD).status_code == 303


def test_a_reset_signs_out_existing_sessions(app, client, db, network):
    with TestClient(app) as other:
        login(other, GAP_FACILITATOR)
        assert other.get("/staff").status_code == 200
        client.get("/staff/password/forgot")
        post_form(client, "/staff/password/forgot", {"email": GAP_FACILITATOR})
        assert _choose(client, password_link(db, GAP_FACILITATOR)).status_code == 200
        assert other.get("/staff", follow_redirects=False).status_code == 303
