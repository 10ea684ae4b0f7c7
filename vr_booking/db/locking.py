"""The locks that serialise writes which can race, with a bounded wait.

Every change to what a centre can offer first locks what it depends on, then re-reads and
counts: "lock, re-check, write". Two transactions therefore never both see the last free
seat. There are two kinds of writer (docs/architecture.md, "Races and locks"):

- a *pool change* (an allocation, a loan, a headset's state, a hand-out, a check-in, a
  sweep, a rule or a closure) takes :func:`lock_centres`: the centre rows, exclusively;
- a visitor's *booking* (book, cancel, change of slot, an offer taken or declined) takes
  :func:`lock_slots`: the centre rows shared, so no pool change runs meanwhile, then its
  slot and every open-access slot of the centre overlapping it, exclusively, then
  :func:`lock_people` for the per-person limits. Bookings of slots that do not overlap
  therefore run side by side.

Locks are always taken in this order (centres, slots, people), each kind in id order, so
that two transactions never wait on each other crosswise.

- PostgreSQL: ``SELECT … FOR UPDATE`` / ``FOR SHARE`` on the rows, transaction-scoped
  advisory locks for people. The wait is bounded by ``lock_timeout_seconds``
  (``SET LOCAL lock_timeout``), for every kind: past it :class:`LockTimeout` is raised and
  the web layer answers "busy, please try again" (503 with ``Retry-After``).
- SQLite: nothing of this changes anything: the transaction already holds the database's
  single write lock from ``BEGIN IMMEDIATE`` (see :mod:`vr_booking.db.engine`), so writers
  are serialised anyway; its busy timeout bounds the wait, answered the same way.
"""

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Interval, Select, and_, bindparam, literal, or_, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from vr_booking.config import settings_for
from vr_booking.db.engine import reading
from vr_booking.db.ranges import ranges_overlap
from vr_booking.models import LONGEST_SESSION, Centre, SessionKind, VRSession

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for lock_timeout
DEADLOCK_DETECTED = "40P01"  # PostgreSQL broke a cycle of lock waits by failing this one
_TIMED_TRANSACTION = "lock_timeout_set_in"  # session.info: the transaction already bounded


class LockTimeout(Exception):
    """Another transaction held the lock for longer than the bounded wait."""


def lock_centres(session: Session, centre_ids: Iterable[int]) -> None:
    """Serialise pool changes at these centres, and exclude bookings there, for the rest of
    the transaction."""
    ids = sorted(set(centre_ids))
    if not ids:
        return
    with _bounded(session):
        session.exec(select(Centre.id).where(col(Centre.id).in_(ids)).order_by(Centre.id)
                     .with_for_update()).all()


def lock_slots(session: Session, slot_ids: Iterable[int]) -> None:
    """A booking's locks: these slots' centres shared, then, exclusively, these slots and
    every open-access slot of their centres that overlaps one of them.

    The slots' times are read after the shared centre lock: they only change in a rule's
    regeneration, a pool change, which that lock excludes.
    """
    ids = sorted(set(slot_ids))
    if not ids or session.get_bind().dialect.name != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already made this transaction the only writer
    with _bounded(session):
        centres, slots = _booking_locks()
        session.exec(centres, params={"ids": ids}).all()
        session.exec(slots, params={"ids": ids}).all()


@cache
def _booking_locks() -> tuple[Select, Select]:
    """The two statements of :func:`lock_slots`, built once (``:ids``, the slots booked):
    their centres ``FOR SHARE``, then themselves and the open-access slots of those centres
    overlapping one of them, ``FOR UPDATE``; each in id order.

    The neighbours are found from each booked slot through the centre's sessions by start
    (bounded below by :data:`LONGEST_SESSION`), so the index on (centre, start) serves them:
    asked the other way round ("is this session a neighbour of a booked slot?") the
    statement visited every session of the database, and took 130 ms at one centre with a
    thousand slots.
    """
    ids = bindparam("ids", expanding=True)
    centres = (select(Centre.id).where(col(Centre.id).in_(
        select(VRSession.centre_id).where(col(VRSession.id).in_(ids))))
        .order_by(Centre.id).with_for_update(read=True, of=Centre))
    mine, other = aliased(VRSession), aliased(VRSession)
    neighbours = (
        select(other.id).join(mine, and_(
            mine.centre_id == other.centre_id,
            ranges_overlap(other.starts_at, other.ends_at, mine.starts_at, mine.ends_at,
                           literal(LONGEST_SESSION, Interval())),
            or_(other.kind == SessionKind.open_access, other.id == mine.id)))
        .where(col(mine.id).in_(ids)))
    slots = (select(VRSession.id).where(col(VRSession.id).in_(neighbours))
             .order_by(VRSession.id).with_for_update(of=VRSession))
    return centres, slots


@contextmanager
def committed_reads(session: Session) -> Iterator[Session]:
    """A session reading what is committed now, without taking or waiting for a lock.

    PostgreSQL: ``session`` itself (its reads take no lock at READ COMMITTED, and the locks
    taken afterwards still come in their order). SQLite: a short deferred transaction of its
    own, since the request's write transaction begins ``IMMEDIATE``, that is by waiting for
    the database's single write lock. What is read may be stale a moment later: use it to
    refuse (the refusal was true when read), never to allow a write.
    """
    if session.get_bind().dialect.name != "sqlite":
        yield session
        return
    with Session(reading(session.get_bind()),
                 info=dict(session.info)) as reader:
        yield reader


def lock_people(session: Session, keys: Iterable[str | None]) -> None:
    """Serialise the bookings of one person (e-mail, browser key or address key), so that
    their per-person limits hold across slots; taken after :func:`lock_slots`."""
    wanted = sorted({_advisory_key(k) for k in keys if k})
    if not wanted or session.get_bind().dialect.name != "postgresql":
        return
    with _bounded(session):
        for key in wanted:
            session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=key))


def _advisory_key(key: str) -> int:
    """A stable signed 64-bit number for a person's key (PostgreSQL's advisory lock id)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


@contextmanager
def _bounded(session: Session):
    """Bound the lock waits inside (PostgreSQL) and turn a timeout into :class:`LockTimeout`."""
    _set_lock_timeout(session)
    try:
        yield
    except OperationalError as error:
        if is_lock_failure(error):
            raise LockTimeout from error
        raise


def _set_lock_timeout(session: Session) -> None:
    """``SET LOCAL lock_timeout`` once a transaction (it lasts until the transaction ends)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_TIMED_TRANSACTION) is transaction:
        return
    milliseconds = int(settings_for(session).lock_timeout_seconds * 1000)
    session.exec(text(f"SET LOCAL lock_timeout = {milliseconds}"))
    session.info[_TIMED_TRANSACTION] = session.get_transaction()


def is_lock_failure(error: OperationalError) -> bool:
    """Whether a database error means "could not have a lock": the wait ran out (either
    database), or PostgreSQL broke a deadlock by failing this transaction. Both leave nothing
    written and are answered "busy, please try again"."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate in (LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED) \
        or "database is locked" in str(error.orig)
