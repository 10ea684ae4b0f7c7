"""Seats in open-access slots (the capacity formula of docs/architecture.md).

Seats in a slot at centre C during [t0, t1) = headsets at C for the whole range, in service,
without a foam face cover, and not allocated to a (non-cancelled) session during
[t0 - buffer, t1 + buffer), minus the walk-in reserve. Counts come from the rows under a
lock (:func:`vr_booking.db.lock_centres`), never from a stored counter.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import ColumnElement, Select, bindparam, case, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from vr_booking.db import overlaps, ranges_overlap
from vr_booking.models import (
    SEAT_HOLDING,
    Allocation,
    Booking,
    BookingStatus,
    Centre,
    FaceCover,
    Headset,
    OpenAccessRule,
    ServiceState,
    SessionKind,
    SessionStatus,
    VRSession,
)
from vr_booking.services.fleet.location import (
    at_centre_throughout,
    headsets_at_many,
    local_dates,
)


@dataclass
class SlotLoad:
    """A slot with its capacity and how its seats are taken."""

    slot: VRSession
    capacity: int  # seats that can be booked: ``headsets`` minus the walk-in reserve
    confirmed: int
    waitlisted: int
    headsets: int  # usable headsets for the slot, reserve included (what walk-ins can use)

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.confirmed)


def booking_counts(session: Session, slot_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = session.exec(
        select(Booking.session_id, Booking.status, func.count())
        .where(col(Booking.session_id).in_(slot_ids))
        .group_by(Booking.session_id, Booking.status)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for slot_id, status, n in rows:
        counts.setdefault(slot_id, {})[status] = n
    return counts


def slot_loads(session: Session, slots: list[VRSession]) -> list[SlotLoad]:
    """Capacity and counts for many slots with a handful of queries (not one per slot)."""
    if not slots:
        return []
    rules = _rules_of(session, slots)
    centres = {c.id: c for c in session.exec(
        select(Centre).where(col(Centre.id).in_({s.centre_id for s in slots})))}
    widest = max((r.buffer_minutes for r in rules.values()), default=0)
    stays = {slot.id: (slot.centre_id, *local_dates(centres[slot.centre_id], slot.starts_at,
                                                    slot.ends_at)) for slot in slots}
    placed = headsets_at_many(session, stays.values(), _USABLE)
    usable = {stay: {h.id for h in found} for stay, found in placed.items()}
    allocations = _allocations_between(
        session, centres.keys(), {h.id for found in placed.values() for h in found
                                  if h.home_centre_id not in centres},
        min(s.starts_at for s in slots) - timedelta(minutes=widest),
        max(s.ends_at for s in slots) + timedelta(minutes=widest))
    counts = booking_counts(session, [s.id for s in slots])
    loads = []
    for slot in slots:
        rule = rules.get(slot.rule_id)
        buffer = timedelta(minutes=rule.buffer_minutes if rule else 0)
        here = usable[stays[slot.id]]
        busy = {a.headset_id for a in allocations if a.headset_id in here and overlaps(
            a.starts_at, a.ends_at, slot.starts_at - buffer, slot.ends_at + buffer)}
        headsets = len(here - busy)
        slot_counts = counts.get(slot.id, {})
        loads.append(SlotLoad(
            slot=slot,
            capacity=max(0, headsets - (rule.walk_in_reserve if rule else 0)),
            confirmed=sum(slot_counts.get(s, 0) for s in SEAT_HOLDING),
            waitlisted=slot_counts.get(BookingStatus.waitlisted, 0),
            headsets=headsets,
        ))
    return loads


def slot_load(session: Session, slot: VRSession) -> SlotLoad:
    """One slot's load in one statement (after its centre and rule, usually already in the
    session): what a booking counts under its lock. The same formula as
    :func:`slot_loads`, which settles many slots at once in Python instead."""
    centre = session.get(Centre, slot.centre_id)
    rule = session.get(OpenAccessRule, slot.rule_id) if slot.rule_id is not None else None
    buffer = timedelta(minutes=rule.buffer_minutes if rule else 0)
    first, last = local_dates(centre, slot.starts_at, slot.ends_at)
    usable, seats, waiting = session.exec(_one_slot_load(), params={
        "slot_id": slot.id, "centre_id": centre.id, "first": first, "last": last,
        "from": slot.starts_at - buffer, "until": slot.ends_at + buffer}).one()
    return SlotLoad(slot=slot, capacity=max(0, usable - (rule.walk_in_reserve if rule else 0)),
                    confirmed=seats, waitlisted=waiting, headsets=usable)


@cache
def _one_slot_load() -> Select:
    """The statement of :func:`slot_load`, built once (building it costs more than running
    it): usable headsets at ``:centre_id`` on the days ``:first``–``:last`` and not
    allocated during [``:from``, ``:until``), and the bookings of ``:slot_id`` by kind."""
    held = aliased(VRSession)
    busy = exists().where(
        Allocation.headset_id == Headset.id, col(held.id) == Allocation.session_id,
        held.status != SessionStatus.cancelled,
        ranges_overlap(Allocation.starts_at, Allocation.ends_at, bindparam("from"),
                       bindparam("until")))
    headsets = _USABLE_COUNT.where(
        at_centre_throughout(bindparam("centre_id"), bindparam("first"), bindparam("last")),
        ~busy).scalar_subquery()
    return (select(headsets, _counted(SEAT_HOLDING), _counted([BookingStatus.waitlisted]))
            .where(Booking.session_id == bindparam("slot_id")))


def _counted(statuses: Iterable[str]) -> ColumnElement[int]:
    """SQL: how many of the rows read have one of these statuses (0 when none)."""
    return func.coalesce(func.sum(case((col(Booking.status).in_(list(statuses)), 1),
                                       else_=0)), 0)


def _rules_of(session: Session, slots: list[VRSession]) -> dict[int, OpenAccessRule]:
    ids = {s.rule_id for s in slots if s.rule_id is not None}
    return {r.id: r for r in session.exec(
        select(OpenAccessRule).where(col(OpenAccessRule.id).in_(ids)))}


_CAN_SEAT = (Headset.service_state == ServiceState.in_service,
             Headset.face_cover != FaceCover.foam)
"""Headsets that can take a seat: in service, without a foam face cover."""
_USABLE = select(Headset.id, Headset.home_centre_id, Headset.asset_tag).where(*_CAN_SEAT)
_USABLE_COUNT = select(func.count()).select_from(Headset).where(*_CAN_SEAT)


def _allocations_between(session: Session, centre_ids: Iterable[int], guest_ids: set[int],
                         start_at: datetime, end_at: datetime) -> list[Allocation]:
    """Allocations to sessions not cancelled during [start_at, end_at) of the headsets based
    at these centres or lent to them (``guest_ids``): more than the usable ones, which the
    caller keeps. Named by centre rather than by headset: a page of the network shows
    hundreds of headsets, and a list of their ids was most of the home page's time on
    PostgreSQL (planning an IN of a thousand parameters for a few rows)."""
    based = select(Headset.id).where(col(Headset.home_centre_id).in_(list(centre_ids)))
    return list(session.exec(
        select(Allocation)
        .where(or_(col(Allocation.headset_id).in_(based),
                   col(Allocation.headset_id).in_(guest_ids)),
               _session_not_cancelled(),
               ranges_overlap(Allocation.starts_at, Allocation.ends_at, start_at, end_at))
    ).all())


def _session_not_cancelled() -> ColumnElement[bool]:
    """SQL: the allocation's session is not cancelled, read through the session's key for
    each allocation found. Joined instead, PostgreSQL merged the few allocations with the
    sessions' primary key from the first id up to theirs: every session of the network for
    a group planned today (19.5 ms a planning at 40 hubs)."""
    status = select(VRSession.status).where(col(VRSession.id) == Allocation.session_id)
    return status.scalar_subquery() != SessionStatus.cancelled


def upcoming_slots(session: Session, centre_ids: Iterable[int], start_at: datetime,
                   end_at: datetime | None = None) -> list[VRSession]:
    """Planned open-access slots at these centres starting in [start_at, end_at)."""
    query = select(VRSession).where(
        col(VRSession.centre_id).in_(list(centre_ids)),
        VRSession.kind == SessionKind.open_access,
        VRSession.status == SessionStatus.planned, VRSession.starts_at >= start_at,
    )
    if end_at is not None:
        query = query.where(VRSession.starts_at < end_at)
    return list(session.exec(query.order_by(VRSession.starts_at, VRSession.id)).all())


def overbooked_slots(session: Session, centre_ids: Iterable[int],
                     now: datetime) -> list[SlotLoad]:
    """Upcoming slots whose confirmed bookings exceed their capacity (after a change)."""
    loads = slot_loads(session, upcoming_slots(session, centre_ids, now))
    return [load for load in loads if load.confirmed > load.capacity]
