"""E-mail: every message is an outbox row first, written in the same transaction as the
change it reports; :func:`deliver_outbox` sends due rows and records the result, so a
failing mail server loses nothing."""

import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader
from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, func, select

from vr_booking.config import Settings
from vr_booking.db import reading
from vr_booking.i18n import current_language, gettext, ngettext
from vr_booking.models import Booking, OutboxMessage
from vr_booking.paths import TEMPLATES_DIR
from vr_booking.services.calendar import CANCEL, PUBLISH, booking_ics
from vr_booking.services.timeutil import spoken_date, spoken_time

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
CLAIM_TIMEOUT = timedelta(minutes=10)
RETRY_DELAY = timedelta(minutes=5)
# A booking's calendar file, left empty in the outbox and built when the message is sent.
CALENDAR_PUBLISH = "text/calendar; method=PUBLISH"
CALENDAR_CANCEL = "text/calendar; method=CANCEL"

_env = Environment(loader=FileSystemLoader(TEMPLATES_DIR / "emails"), autoescape=False,  # noqa: S701  (plain-text mail)
                   extensions=["jinja2.ext.i18n"], keep_trailing_newline=True)
_env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
_env.filters.update(spoken_date=spoken_date, spoken_time=spoken_time)


@contextmanager
def language(code: str) -> Iterator[None]:
    """Render in the recipient's language, whatever the current request's is."""
    token = current_language.set(code)
    try:
        yield
    finally:
        current_language.reset(token)


def render_mail(template: str, language_code: str, **context: object) -> tuple[str, str]:
    """(subject, body) of ``emails/<template>.txt``; its first line is the subject."""
    with language(language_code):
        text = _env.get_template(f"{template}.txt").render(**context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


def enqueue(session: Session, to: str, subject: str, body: str,
            attachment: tuple[str, str, str] | None = None,
            booking_id: int | None = None) -> OutboxMessage:
    """Queue a message; ``attachment`` is (file name, MIME type, text content). The type may
    carry parameters (``text/calendar; method=CANCEL``); text attachments are sent as UTF-8.

    ``booking_id`` names the booking a message is about: erasing the booking's personal
    data deletes its messages too. An empty ``CALENDAR_PUBLISH`` or ``CALENDAR_CANCEL``
    attachment is that booking's calendar file, built when the message is sent
    (:func:`_ticket_calendar`), so that nothing heavy runs in the booking's transaction.
    """
    name, mime, content = attachment or ("", "", "")
    message = OutboxMessage(booking_id=booking_id, to_address=to, subject=subject,
                            body_text=body,
                            attachment_name=name, attachment_type=mime,
                            attachment_content=content)
    session.add(message)
    return message


def _claim(session: Session, message_id: int, now: datetime) -> bool:
    """Take a message for sending; False if another sender has it (safe on two machines)."""
    result = session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.sent_at).is_(None),
               or_(col(OutboxMessage.claimed_at).is_(None),
                   col(OutboxMessage.claimed_at) < now - CLAIM_TIMEOUT))
        .values(claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    return result.rowcount == 1


def _ticket_calendar(session: Session, message: OutboxMessage) -> str:
    """The calendar file of the booking a message is about, for the event it reports (a
    confirmation's file stays a confirmation's); empty when the booking is gone."""
    booking = message.booking_id and session.get(Booking, message.booking_id)
    if not booking:
        return ""
    cancelling = message.attachment_type == CALENDAR_CANCEL
    return booking_ics(session, booking, CANCEL if cancelling else PUBLISH, cancelling)


def _as_email(session: Session, message: OutboxMessage, settings: Settings,
              now: datetime) -> EmailMessage:
    """The message as sent: ``Date`` is the sending time (RFC 5322 wants both headers; some
    filters mark mail without them as spam) and ``Message-ID`` names our public host."""
    email = EmailMessage()
    email["From"] = settings.smtp_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = make_msgid(domain=urlsplit(settings.base_url).hostname or "vr-booking")
    email.set_content(message.body_text)
    content = message.attachment_content
    if not content and message.attachment_type in (CALENDAR_PUBLISH, CALENDAR_CANCEL):
        content = _ticket_calendar(session, message)
    if message.attachment_name and content:
        _attach(email, message, content)
    return email


def _attach(email: EmailMessage, message: OutboxMessage, content: str) -> None:
    mime, *parameters = (part.strip() for part in message.attachment_type.split(";"))
    maintype, _, subtype = mime.partition("/")
    params = dict(p.partition("=")[::2] for p in parameters if "=" in p)
    if maintype == "text":  # declared UTF-8, or readers guess and show "S��ance"
        email.add_attachment(content, subtype=subtype, charset="utf-8",
                             filename=message.attachment_name, params=params)
    else:
        email.add_attachment(content.encode(), maintype=maintype,
                             subtype=subtype, filename=message.attachment_name, params=params)


def _send(email: EmailMessage, settings: Settings) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(email)


def deliver_outbox(engine: Engine, settings: Settings, now: datetime, batch: int = 50) -> int:
    """Send due messages; returns how many were sent. Failures are retried later."""
    if not settings.smtp_host:
        return 0
    with Session(engine) as session:
        due = session.exec(
            select(OutboxMessage.id)
            .where(col(OutboxMessage.sent_at).is_(None), OutboxMessage.send_after <= now,
                   OutboxMessage.attempts < MAX_ATTEMPTS)
            .order_by(OutboxMessage.id).limit(batch)
        ).all()
    sent = 0
    for message_id in due:
        sent += _deliver_one(engine, settings, message_id, now)
    return sent


def _deliver_one(engine: Engine, settings: Settings, message_id: int, now: datetime) -> int:
    """Claim, build, send, record: each database step a short transaction of its own, and
    none open while the mail server answers (on SQLite a write transaction open across the
    conversation held the single write lock, every booking waiting up to the SMTP timeout)."""
    with Session(engine) as session:
        if not _claim(session, message_id, now):
            return 0
        session.commit()
    with Session(reading(engine), info={"settings": settings}) as session:
        message = session.get(OutboxMessage, message_id)
        if message is None:  # erased with its booking since it was claimed
            return 0
        email, attempts = _as_email(session, message, settings, now), message.attempts
    try:
        _send(email, settings)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("outbox %s: %s", message_id, error)
        _record(engine, message_id, last_error=str(error)[:500], claimed_at=None,
                send_after=now + RETRY_DELAY * attempts)
        return 0
    _record(engine, message_id, sent_at=now, last_error="")
    return 1


def _record(engine: Engine, message_id: int, **values: object) -> None:
    """Store a delivery's result; a conditional UPDATE, since the message may have been
    erased with its booking while it was being sent."""
    with Session(engine) as session:
        session.exec(update(OutboxMessage).where(col(OutboxMessage.id) == message_id)
                     .values(**values))
        session.commit()


@dataclass(frozen=True)
class MailWarning:
    """Why staff should know that e-mails are not leaving: no SMTP server is configured,
    and/or ``waiting`` messages have waited longer than the configured delay."""

    no_server: bool
    waiting: int


def mail_warning(session: Session, settings: Settings, now: datetime) -> MailWarning | None:
    """A warning for the staff pages, or None when mail flows (visitors rely on tickets sent
    by e-mail, and an unconfigured or broken server fails silently otherwise)."""
    late = now - timedelta(minutes=settings.outbox_warning_minutes)
    waiting = session.exec(select(func.count()).select_from(OutboxMessage).where(
        col(OutboxMessage.sent_at).is_(None), OutboxMessage.send_after <= late)).one()
    if settings.smtp_host and not waiting:
        return None
    return MailWarning(no_server=not settings.smtp_host, waiting=waiting)
