"""Throttles and rate limits that hold for the whole deployment, however many workers serve it.

Each check is one upsert on a database counter (:mod:`vr_booking.db.counters`), committed in
its own short transaction, before the request's unit of work begins: a refused or failed
request still counts (its own transaction may roll back), and on SQLite the write lock is
held only for that one statement, never across a password check. Keys hold a keyed hash of
the e-mail or the address, never the value itself.
"""

import hashlib
import hmac
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection
from sqlmodel import Session

from vr_booking.config import settings_for
from vr_booking.db.counters import count_hit, forget_hit, purge_counters, reset


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` in ``window``."""

    hits: int
    window: timedelta


def counter_key(session: Session, kind: str, value: str) -> str:
    """``kind:`` and a keyed hash of ``value`` (an e-mail or an address)."""
    secret = settings_for(session).secret_key.encode()
    digest = hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:40]
    return f"{kind}:{digest}"


@contextmanager
def _own_transaction(session: Session) -> Iterator[Connection]:
    """A short transaction of its own, committed at once; inside the request's transaction
    when that one has already begun (SQLite would make a second writer wait for it).

    On PostgreSQL each counter operation is one statement, committed by itself
    (``AUTOCOMMIT``): the same guarantee without a BEGIN and a COMMIT, two of the dozen
    round trips a refused booking made.
    """
    if session.in_transaction():
        yield session.connection()
        return
    engine = session.get_bind()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection
        return
    with engine.begin() as connection:
        yield connection


def hit(session: Session, key: str, limit: Limit, now: datetime) -> int:
    """Count one hit of ``key``: 0 when within the limit, else the seconds until it lifts."""
    with _own_transaction(session) as connection:
        count = count_hit(connection, key, limit.window, now)
    if count.hits <= limit.hits:
        return 0
    return max(1, math.ceil((count.window_start + limit.window - now).total_seconds()))


def take_back(session: Session, key: str, forget_all: bool = False) -> None:
    """Undo one hit of ``key`` (or all of them)."""
    undo: Callable[[Connection, str], None] = reset if forget_all else forget_hit
    with _own_transaction(session) as connection:
        undo(connection, key)


def purge_old_counters(session: Session, now: datetime) -> int:
    """Delete counters idle for a day (longer than any window): a sweep."""
    return purge_counters(session.connection(), now - timedelta(days=1))
