"""Hit counters in the database, shared by every worker process: one statement a hit.

A counter counts the hits of one key in a fixed window; the first hit after the window
ends starts a new one. The upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, on
SQLite and PostgreSQL alike) is atomic, so concurrent hits from several workers are all
counted and none is lost.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Connection, Insert, bindparam, case, delete, update
from sqlalchemy.dialects import postgresql, sqlite

from vr_booking.models import RateCounter, UTCDateTime

_TABLE = RateCounter.__table__


@dataclass(frozen=True)
class Count:
    hits: int  # in the current window, this hit included
    window_start: datetime


def count_hit(connection: Connection, key: str, window: timedelta, now: datetime) -> Count:
    """Record one hit of ``key``."""
    hits, window_start = connection.execute(_upsert(connection.dialect.name), {
        "key": key, "now": now, "expired_at": now - window}).one()
    return Count(hits, window_start)


@cache
def _upsert(dialect: str) -> Insert:
    """The hit's upsert for this dialect, built once (``:key``, ``:now``, and ``:expired_at``:
    a window that started then or before is over)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    at = bindparam("now", type_=UTCDateTime)
    expired = _TABLE.c.window_start <= bindparam("expired_at", type_=UTCDateTime)
    return insert(_TABLE).values(key=bindparam("key"), window_start=at, hits=1) \
        .on_conflict_do_update(
            index_elements=[_TABLE.c.key],
            set_={"hits": case((expired, 1), else_=_TABLE.c.hits + 1),
                  "window_start": case((expired, at), else_=_TABLE.c.window_start)},
        ).returning(_TABLE.c.hits, _TABLE.c.window_start)


def forget_hit(connection: Connection, key: str) -> None:
    """Take one hit back (a success that should not count against its neighbours)."""
    connection.execute(update(_TABLE).where(_TABLE.c.key == key, _TABLE.c.hits > 0)
                       .values(hits=_TABLE.c.hits - 1))


def reset(connection: Connection, key: str) -> None:
    connection.execute(delete(_TABLE).where(_TABLE.c.key == key))


def purge_counters(connection: Connection, before: datetime) -> int:
    """Delete the counters whose window started before ``before`` (a sweep)."""
    return connection.execute(delete(_TABLE).where(_TABLE.c.window_start < before)).rowcount
