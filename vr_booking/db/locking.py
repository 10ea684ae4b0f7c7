"""The locks that serialise writes which can race, with a bounded wait.

Every change to what a centre can offer (a booking, a check-in, a hand-out, a headset leaving
service, an allocation, a loan) first locks the centres concerned, then re-reads and counts:
"lock, re-check, write". Two transactions therefore never both see the last free seat.

- PostgreSQL: ``SELECT … FOR UPDATE`` on the centre rows, always in id order so that two
  transactions never wait on each other crosswise. The wait is bounded by
  ``lock_timeout_seconds`` (``SET LOCAL lock_timeout``): past it :class:`LockTimeout` is
  raised and the web layer answers "busy, please try again" (503 with ``Retry-After``).
- SQLite: the transaction already holds the database's write lock from ``BEGIN IMMEDIATE``
  (see :mod:`vr_booking.db.engine`); its busy timeout bounds the wait, and a timeout there
  is answered the same way.
"""

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from vr_booking.config import settings_for
from vr_booking.models import Centre

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for lock_timeout


class LockTimeout(Exception):
    """Another transaction held the lock for longer than the bounded wait."""


def lock_centres(session: Session, centre_ids: Iterable[int]) -> None:
    """Serialise capacity changes at these centres for the rest of the transaction."""
    ids = sorted(set(centre_ids))
    if not ids:
        return
    if session.get_bind().dialect.name == "postgresql":
        milliseconds = int(settings_for(session).lock_timeout_seconds * 1000)
        session.exec(text(f"SET LOCAL lock_timeout = {milliseconds}"))
    try:
        session.exec(select(Centre.id).where(col(Centre.id).in_(ids)).order_by(Centre.id)
                     .with_for_update()).all()
    except OperationalError as error:
        if is_lock_timeout(error):
            raise LockTimeout from error
        raise


def is_lock_timeout(error: OperationalError) -> bool:
    """Whether a database error means "waited too long for a lock" (on either database)."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate == LOCK_NOT_AVAILABLE or "database is locked" in str(error.orig)
