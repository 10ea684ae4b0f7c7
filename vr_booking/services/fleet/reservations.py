"""What headsets are reserved for: their allocations to sessions that are not cancelled,
and the one way to store new ones.

One query, used by capacity, the desk's hand-out rules, the inventory, state changes, a
headset's page and group planning, so that "reserved during this time" means the same
everywhere. An allocation's range is the whole time its headset is taken (a forum's
transport and the cleaning after included), so readers need not know about forums.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from vr_booking.db import ranges_overlap
from vr_booking.models import Allocation, SessionStatus, VRSession

Reservation = tuple[Allocation, VRSession]


def reservations(session: Session, start_at: datetime | None = None,
                 end_at: datetime | None = None, *,
                 headset_ids: Iterable[int] | None = None) -> list[Reservation]:
    """Allocations overlapping ``[start_at, end_at)`` (an open end when None), earliest first.

    ``headset_ids`` limits them to these headsets (None: every headset).
    """
    query = (select(Allocation, VRSession)
             .join(VRSession, col(VRSession.id) == Allocation.session_id)
             .where(VRSession.status != SessionStatus.cancelled))
    if headset_ids is not None:
        query = query.where(col(Allocation.headset_id).in_(list(headset_ids)))
    if start_at is not None and end_at is not None:
        query = query.where(ranges_overlap(Allocation.starts_at, Allocation.ends_at,
                                           start_at, end_at))
    elif start_at is not None:
        query = query.where(Allocation.ends_at > start_at)
    return list(session.exec(query.order_by(Allocation.starts_at, Allocation.id)).all())


def by_headset(found: Iterable[Reservation]) -> dict[int, list[Reservation]]:
    """Reservations grouped by headset id, in the order given."""
    grouped: dict[int, list[Reservation]] = {}
    for allocation, vr_session in found:
        grouped.setdefault(allocation.headset_id, []).append((allocation, vr_session))
    return grouped


# --- writing allocations --------------------------------------------------------------------

# The name of the database rule refusing two overlapping allocations of one headset: the
# PostgreSQL exclusion constraint, and the message of the SQLite triggers (see the migration).
NO_DOUBLE_ALLOCATION = "ex_allocation_headset_time"
EXCLUSION_VIOLATION = "23P01"  # PostgreSQL's SQLSTATE


class DoubleAllocation(Exception):
    """The database refused an allocation overlapping another one of the same headset."""


def add_allocations(session: Session, allocations: Iterable[Allocation]) -> None:
    """Store allocations; :class:`DoubleAllocation` if the database finds one overlapping.

    Callers check for clashes first, under the centre lock; the database rule is the last
    line (a writer that skipped the lock, another centre reserving a lent headset). The
    savepoint keeps the transaction usable after a refusal, so the caller can still read
    what clashed and explain it.
    """
    try:
        with session.begin_nested():
            session.add_all(allocations)
            session.flush()
    except IntegrityError as error:
        if not is_double_allocation(error):
            raise
        raise DoubleAllocation from error


def is_double_allocation(error: IntegrityError) -> bool:
    """Whether the database refused the write as an overlapping allocation (either database)."""
    return (getattr(error.orig, "sqlstate", None) == EXCLUSION_VIOLATION
            or NO_DOUBLE_ALLOCATION in str(error.orig))
