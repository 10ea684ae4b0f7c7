"""Hit counters in the database, shared by every worker process: one statement a hit.

A counter counts the hits of one key in a fixed window; the first hit after the window
ends starts a new one. The upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, on
SQLite and PostgreSQL alike) is atomic, so concurrent hits from several workers are all
counted and none is lost.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, case, delete, literal, update
from sqlalchemy.dialects import postgresql, sqlite

from vr_booking.models import RateCounter, UTCDateTime

_TABLE = RateCounter.__table__


@dataclass(frozen=True)
class Count:
    hits: int  # in the current window, this hit included
    window_start: datetime


def count_hit(connection: Connection, key: str, window: timedelta, now: datetime) -> Count:
    """Record one hit of ``key``."""
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)
    at = literal(now, UTCDateTime)
    expired = _TABLE.c.window_start <= literal(now - window, UTCDateTime)
    statement = insert(_TABLE).values(key=key, window_start=now, hits=1).on_conflict_do_update(
        index_elements=[_TABLE.c.key],
        set_={"hits": case((expired, 1), else_=_TABLE.c.hits + 1),
              "window_start": case((expired, at), else_=_TABLE.c.window_start)},
    ).returning(_TABLE.c.hits, _TABLE.c.window_start)
    hits, window_start = connection.execute(statement).one()
    return Count(hits, window_start)


def forget_hit(connection: Connection, key: str) -> None:
    """Take one hit back (a success that should not count against its neighbours)."""
    connection.execute(update(_TABLE).where(_TABLE.c.key == key, _TABLE.c.hits > 0)
                       .values(hits=_TABLE.c.hits - 1))


def reset(connection: Connection, key: str) -> None:
    connection.execute(delete(_TABLE).where(_TABLE.c.key == key))


def purge_counters(connection: Connection, before: datetime) -> int:
    """Delete the counters whose window started before ``before`` (a sweep)."""
    return connection.execute(delete(_TABLE).where(_TABLE.c.window_start < before)).rowcount
