"""Server-side records of signed-in browsers (``StaffSession``).

The signed cookie holds a random token; only its SHA-256 is stored. A session is valid while
its row is neither revoked nor expired, the account is active and the cookie's
``session_version`` is the account's: signing out revokes the row, "sign out everywhere"
revokes all of the account's rows, and bumping ``StaffUser.session_version`` (an account
deactivated or its password reset) still ends every session at once.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from vr_booking.models import StaffSession, StaffUser


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: StaffUser, now: datetime, max_age_seconds: int) -> str:
    """Record a new signed-in browser; returns the token its cookie carries."""
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(staff_id=user.id, token_hash=_hash(token), created_at=now,
                             expires_at=now + timedelta(seconds=max_age_seconds)))
    session.flush()
    return token


def staff_for_session(session: Session, token: str, version: object,
                      now: datetime) -> StaffUser | None:
    """The staff user of a live session token, or None (revoked, expired, stale version)."""
    if not token:
        return None
    user = session.exec(
        select(StaffUser).join(StaffSession, col(StaffSession.staff_id) == StaffUser.id)
        .where(StaffSession.token_hash == _hash(token), col(StaffSession.revoked_at).is_(None),
               StaffSession.expires_at > now)).first()
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


def close_session(session: Session, token: str, now: datetime) -> None:
    """Sign this browser out: its cookie, even copied elsewhere, opens nothing any more."""
    session.exec(update(StaffSession).where(StaffSession.token_hash == _hash(token),
                                            col(StaffSession.revoked_at).is_(None))
                 .values(revoked_at=now))


def close_all_sessions(session: Session, user: StaffUser, now: datetime) -> int:
    """Sign the account out of every browser; returns how many sessions ended."""
    return session.exec(update(StaffSession).where(
        StaffSession.staff_id == user.id, col(StaffSession.revoked_at).is_(None),
        StaffSession.expires_at > now).values(revoked_at=now)).rowcount


def purge_sessions(session: Session, now: datetime) -> int:
    """Delete the records of sessions that expired or were revoked a day ago (a sweep)."""
    day_ago = now - timedelta(days=1)
    return session.exec(StaffSession.__table__.delete().where(
        (StaffSession.expires_at < day_ago) | (StaffSession.revoked_at < day_ago))).rowcount
