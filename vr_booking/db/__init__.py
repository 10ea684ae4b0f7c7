"""The database layer: engines and sessions, the locks racing writes take, and the one
definition of overlapping time ranges. Services import from here; nothing here knows about
the web."""

from vr_booking.db.engine import get_engine, make_engine, reading, session_scope
from vr_booking.db.locking import (
    LockTimeout,
    committed_reads,
    is_lock_failure,
    lock_centres,
    lock_people,
    lock_slots,
)
from vr_booking.db.ranges import days_overlap, overlaps, ranges_overlap

__all__ = ["LockTimeout", "committed_reads", "days_overlap", "get_engine", "is_lock_failure",
           "lock_centres", "lock_people", "lock_slots", "make_engine", "overlaps",
           "ranges_overlap", "reading", "session_scope"]
