"""Staff pages warn when e-mails do not leave: no mail server configured, or messages that
have waited too long (a stuck or unreachable server fails silently otherwise)."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from factories import login
from vr_booking.models import OutboxMessage, utcnow


def _queued(db: Session, minutes_ago: int) -> None:
    at = utcnow() - timedelta(minutes=minutes_ago)
    db.add(OutboxMessage(to_address="ana@example.org", subject="s", body_text="b",
                         created_at=at, send_after=at))
    db.commit()


def _staff_page(client: TestClient, make_centre, make_staff) -> str:
    make_centre("hub")
    make_staff("fac@example.org", centres=("hub",))
    login(client, "fac@example.org")
    return client.get("/staff?lang=en").text


def test_without_a_mail_server_staff_are_told(client, make_centre, make_staff, settings):
    settings.smtp_host = ""
    assert 'id="mail-warning"' not in client.get("/?lang=en").text  # visitors are not told
    page = _staff_page(client, make_centre, make_staff)
    assert "E-mails are not being sent: no mail server is configured." in page


def test_messages_waiting_too_long_are_flagged(client, db, make_centre, make_staff, settings):
    settings.smtp_host = "mail.example.org"
    _queued(db, minutes_ago=11)
    page = _staff_page(client, make_centre, make_staff)
    assert "1 e-mail has been waiting to leave for more than 10 minutes." in page
    assert "no mail server is configured" not in page


def test_fresh_messages_and_a_configured_server_say_nothing(client, db, make_centre,
                                                            make_staff, settings):
    settings.smtp_host = "mail.example.org"
    _queued(db, minutes_ago=2)
    assert 'id="mail-warning"' not in _staff_page(client, make_centre, make_staff)
