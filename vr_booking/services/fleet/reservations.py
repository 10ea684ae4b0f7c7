"""What headsets are reserved for: their allocations to sessions that are not cancelled.

One query, used by capacity, the desk's hand-out rules, the inventory, state changes and a
headset's page, so that "reserved during this time" means the same everywhere.
"""

from collections.abc import Iterable
from datetime import datetime

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
