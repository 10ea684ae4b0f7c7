"""One-time links to set a password: a new account's invitation, and reset links.

A link is a random token of which only the SHA-256 is stored (``PasswordLink``). It works
once, until it expires, and only while it is the person's newest link: sending one retires
the older ones, and so does deactivating the account. Opening the link (GET) only shows the
form; the POST that sets the password uses it up, so a mail scanner following the link does
not spend it. E-mails go through the outbox, in the same transaction.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from vr_booking.config import settings_for
from vr_booking.i18n import _, current_language
from vr_booking.models import LinkPurpose, PasswordLink, StaffUser
from vr_booking.services.admin.accounts import hash_password, normalise_email, record_staff_event
from vr_booking.services.admin.passwords import check_new_password
from vr_booking.services.errors import NotFound
from vr_booking.services.mail import enqueue, render_mail

LINK_PATH = "/staff/password/{token}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_lifetime(session: Session, purpose: str) -> timedelta:
    settings = settings_for(session)
    if purpose == LinkPurpose.invitation:
        return timedelta(hours=settings.invitation_link_hours)
    return timedelta(minutes=settings.reset_link_minutes)


def retire_links(session: Session, user: StaffUser, now: datetime) -> None:
    """Make every unused link of this person stop working."""
    session.exec(update(PasswordLink)
                 .where(col(PasswordLink.staff_id) == user.id, col(PasswordLink.used_at).is_(None))
                 .values(used_at=now))


def send_link(session: Session, user: StaffUser, purpose: str, now: datetime,
              sender: StaffUser | None = None) -> PasswordLink:
    """Retire older links, create a new one and queue the e-mail carrying it."""
    retire_links(session, user, now)
    token = secrets.token_urlsafe(32)
    lifetime = link_lifetime(session, purpose)
    link = PasswordLink(staff_id=user.id, token_hash=_digest(token), purpose=purpose,
                        created_at=now, expires_at=now + lifetime)
    session.add(link)
    session.flush()
    url = settings_for(session).base_url + LINK_PATH.format(token=token)
    subject, body = render_mail(
        f"staff_{purpose}", current_language.get(), user=user, url=url, sender=sender,
        hours=int(lifetime.total_seconds() // 3600), minutes=int(lifetime.total_seconds() // 60))
    enqueue(session, user.email, subject, body)
    return link


def request_reset(session: Session, email: str, now: datetime) -> None:
    """"Forgot password": send a reset link if an active account has this address and none
    was sent to it in the last few minutes. The caller answers the same either way."""
    user = session.exec(select(StaffUser).where(
        StaffUser.email == normalise_email(email), col(StaffUser.is_active))).first()
    if user is None:
        return
    interval = timedelta(minutes=settings_for(session).reset_link_interval_minutes)
    recent = session.exec(select(PasswordLink.id).where(
        PasswordLink.staff_id == user.id, PasswordLink.created_at > now - interval)).first()
    if recent is None:
        send_link(session, user, LinkPurpose.reset, now)


def _invalid_link() -> NotFound:
    return NotFound("invalid_link", _("This link does not work any more: it was already "
                                      "used, it expired, or a newer one was sent."))


def find_link(session: Session, token: str, now: datetime) -> tuple[PasswordLink, StaffUser]:
    """The link and its account if the link can still be used."""
    row = session.exec(
        select(PasswordLink, StaffUser).join(StaffUser, col(StaffUser.id) == PasswordLink.staff_id)
        .where(PasswordLink.token_hash == _digest(token), col(PasswordLink.used_at).is_(None),
               PasswordLink.expires_at > now, col(StaffUser.is_active))).first()
    if row is None:
        raise _invalid_link()
    return row[0], row[1]


def set_password_with_link(session: Session, token: str, password: str, confirmation: str,
                           now: datetime) -> StaffUser:
    """Use a link: check the password, spend the link, sign the account out everywhere."""
    link, user = find_link(session, token, now)
    check_new_password(password, confirmation, email=user.email, name=user.name)
    # A conditional update spends the link: of two requests racing, only one gets the row.
    spent = session.exec(update(PasswordLink)
                         .where(col(PasswordLink.id) == link.id,
                                col(PasswordLink.used_at).is_(None))
                         .values(used_at=now))
    if spent.rowcount != 1:
        raise _invalid_link()
    user.password_hash = hash_password(password)
    user.session_version += 1
    session.add(user)
    retire_links(session, user, now)
    record_staff_event(session, user, "staff.password_set", user,
                       f"{user.email}: password chosen with a {link.purpose} link")
    return user
