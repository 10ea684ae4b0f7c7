"""A ticket's two identities, defined once: its address (``/b/{token}``, what the QR code
holds) and its short code (``ABCD-EFGH``, read aloud and typed at the desk)."""

import re
import secrets

from sqlalchemy import bindparam
from sqlmodel import Session, select

from vr_booking.config import settings_for
from vr_booking.models import Booking

TICKET_PATH = "/b/{token}"
DECLINE_PATH = TICKET_PATH + "/decline"  # "I can no longer come", linked from e-mails
TICKET_PATH_RE = re.compile(r"/b/([A-Za-z0-9_-]+)")  # a scanned or typed ticket URL
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the desk
CODE_LENGTH = 8
_CODE_TAKEN = select(Booking.id).where(Booking.short_code == bindparam("code"))


def ticket_url(session: Session, booking: Booking) -> str:
    """The public address of a ticket, as printed in its QR code and its e-mails."""
    return settings_for(session).base_url + TICKET_PATH.format(token=booking.token)


def decline_url(session: Session, booking: Booking) -> str:
    """The page where a visitor gives up their seat or offer in one click."""
    return settings_for(session).base_url + DECLINE_PATH.format(token=booking.token)


def token_in(text: str) -> str | None:
    """The token of a ticket URL inside ``text`` (a USB scanner types the whole URL)."""
    found = TICKET_PATH_RE.search(text)
    return found.group(1) if found else None


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_code(session: Session) -> str:
    """A short code no other booking has."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not session.exec(_CODE_TAKEN, params={"code": code}).first():
            return code


def format_code(code: str) -> str:
    """ABCDEFGH → ABCD-EFGH, easier to read aloud and type."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def normalise_code(text: str) -> str:
    """ABCD-EFGH, abcd efgh, " abcdefgh " → ABCDEFGH."""
    return re.sub(r"[\s-]", "", text).upper()
