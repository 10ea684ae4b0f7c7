"""The outbox reaches a real SMTP server (aiosmtpd); failures are kept and retried."""

import email
import email.utils
import re
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from icalendar import Calendar
from sqlmodel import Session, select

from factories import free_port
from vr_booking.config import Settings
from vr_booking.models import Booking, OutboxMessage, VRSession, utcnow
from vr_booking.services.mail import deliver_outbox, language
from vr_booking.services.open_access.booking import BookingInput, cancel_booking, create_booking
from vr_booking.services.timeutil import spoken_date, spoken_time


class Inbox(Sink):
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class Witness(Inbox):
    """An inbox that notes, while it receives each message, how many of the app's database
    connections are in use."""

    def __init__(self, engine) -> None:
        super().__init__()
        self.engine, self.in_use = engine, []

    async def handle_DATA(self, server, session, envelope):
        self.in_use.append(self.engine.pool.checkedout())
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp() -> tuple[Inbox, int]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _booking_with_email(db: Session, make_open_access, language: str = "fr") -> None:
    slot = make_open_access().slots[0]
    db.info["settings"] = Settings(base_url="https://vr.example.org", database_url="sqlite://",
                                   secret_key="x")
    create_booking(db, BookingInput(slot_id=slot.id, name="Ana", email="ana@example.org",
                                    age_confirmed=True, health_ack=True, language=language),
                   utcnow())
    db.commit()


def test_confirmation_is_delivered_with_the_calendar(db, engine, make_open_access, smtp,
                                                      settings):
    inbox, port = smtp
    _booking_with_email(db, make_open_access)
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    assert deliver_outbox(engine, settings, utcnow()) == 1
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "ana@example.org"
    assert "réservée" in message["Subject"]
    parts = {p.get_content_type(): p for p in message.walk()}
    assert "https://vr.example.org/b/" in parts["text/plain"].get_payload(decode=True).decode()
    assert b"BEGIN:VCALENDAR" in parts["text/calendar"].get_payload(decode=True)
    db.commit()
    assert db.exec(select(OutboxMessage.sent_at)).one() is not None
    assert deliver_outbox(engine, settings, utcnow()) == 0  # sent once only


def test_english_visitor_gets_english_mail(db, engine, make_open_access, smtp, settings):
    inbox, port = smtp
    _booking_with_email(db, make_open_access, language="en")
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    deliver_outbox(engine, settings, utcnow())
    assert inbox.messages[0]["Subject"] == "Your VR session is booked"


def test_a_failing_server_loses_nothing(db, engine, make_open_access, settings):
    _booking_with_email(db, make_open_access)
    settings.smtp_host, settings.smtp_port = "127.0.0.1", free_port()  # nobody listens
    now = utcnow()
    assert deliver_outbox(engine, settings, now) == 0
    db.commit()
    row = db.exec(select(OutboxMessage)).one()
    assert row.sent_at is None
    assert row.attempts == 1
    assert row.last_error
    assert row.send_after > now
    assert deliver_outbox(engine, settings, now) == 0  # not retried before send_after
    db.commit()
    db.refresh(row)
    assert row.attempts == 1
    assert deliver_outbox(engine, settings, now + timedelta(hours=1)) == 0
    db.commit()
    db.refresh(row)
    assert row.attempts == 2


def _calendar_part(message: email.message.Message) -> email.message.Message:
    return next(p for p in message.walk() if p.get_content_type() == "text/calendar")


def test_messages_carry_date_and_message_id_and_a_utf8_calendar(db, engine, make_open_access,
                                                                smtp, settings):
    inbox, port = smtp
    _booking_with_email(db, make_open_access)
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    settings.base_url = "https://vr.example.org"
    now = utcnow()
    deliver_outbox(engine, settings, now)
    message = inbox.messages[0]
    assert email.utils.parsedate_to_datetime(message["Date"]) == now.replace(microsecond=0)
    assert message["Message-ID"].endswith("@vr.example.org>")
    part = _calendar_part(message)
    assert part.get_content_charset() == "utf-8"
    assert part.get_param("method") == "PUBLISH"
    event = Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
    assert str(event["summary"]) == "Séance de découverte des métiers en VR"


def test_the_cancellation_removes_the_event_and_invites_to_nothing(db, engine, make_open_access,
                                                                   smtp, settings):
    inbox, port = smtp
    _booking_with_email(db, make_open_access, language="en")
    booking = db.exec(select(Booking)).one()
    cancel_booking(db, booking.token, utcnow())
    db.commit()
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    deliver_outbox(engine, settings, utcnow())
    booked, cancelled = inbox.messages
    first = Calendar.from_ical(_calendar_part(booked).get_content())
    last = Calendar.from_ical(_calendar_part(cancelled).get_content())
    assert (str(first["method"]), str(last["method"])) == ("PUBLISH", "CANCEL")
    [before], [after] = first.walk("VEVENT"), last.walk("VEVENT")
    assert after["uid"] == before["uid"]  # the same event: calendars drop it
    assert str(after["status"]) == "CANCELLED"
    assert int(after["sequence"]) > int(before["sequence"])
    assert _calendar_part(cancelled).get_param("method") == "CANCEL"
    text = cancelled.get_body(("plain",)).get_content()
    assert "cancel or change" not in text
    assert "/b/" not in text
    assert "To book another session:" in text


def test_dates_in_mail_are_spelled_out_in_the_visitor_language(db, engine, make_open_access):
    _booking_with_email(db, make_open_access, language="en")
    body = db.exec(select(OutboxMessage.body_text)).one()
    slot = db.exec(select(VRSession)).first()
    with language("en"):
        day = spoken_date(slot.starts_at, "Europe/Paris")
        time = spoken_time(slot.starts_at, "Europe/Paris")
    assert f"When: {day}, {time}–" in body  # "Wednesday, December 9, 2026", not 09/12/2026
    assert re.search(r"\d\d/\d\d/\d{4}", body) is None


def test_the_calendar_is_built_when_sent_not_in_the_booking(db, engine, make_open_access, smtp,
                                                            settings):
    inbox, port = smtp
    _booking_with_email(db, make_open_access)
    queued = db.exec(select(OutboxMessage)).one()
    assert (queued.attachment_name, queued.attachment_content) == ("ticket.ics", "")
    booking = db.exec(select(Booking)).one()
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    settings.base_url = "https://vr.example.org"
    deliver_outbox(engine, settings, utcnow())
    event = Calendar.from_ical(_calendar_part(inbox.messages[0]).get_content()).walk("VEVENT")[0]
    assert str(event["uid"]) == f"{booking.token}@vr-booking"
    assert str(event["url"]) == f"https://vr.example.org/b/{booking.token}"
    assert str(event["status"]) == "CONFIRMED"


def test_no_transaction_is_open_while_the_mail_server_answers(db, engine, make_open_access,
                                                              settings):
    """A slow mail server would otherwise hold the database (on SQLite its single write lock,
    every booking waiting) for as long as it takes to answer, each message."""
    _booking_with_email(db, make_open_access)
    witness = Witness(engine)
    settings.smtp_host, settings.smtp_port = "127.0.0.1", free_port()
    controller = Controller(witness, hostname="127.0.0.1", port=settings.smtp_port)
    controller.start()
    try:
        assert deliver_outbox(engine, settings, utcnow()) == 1
    finally:
        controller.stop()
    assert witness.in_use == [0]
    db.commit()
    assert db.exec(select(OutboxMessage.sent_at)).one() is not None
