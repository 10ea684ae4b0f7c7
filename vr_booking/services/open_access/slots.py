"""Open-access slots: generated from the weekly rules, idempotently."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from vr_booking.db import overlaps
from vr_booking.i18n import _
from vr_booking.models import (
    LONGEST_SESSION,
    Centre,
    Closure,
    OpenAccessRule,
    SessionKind,
    SessionStatus,
    VRSession,
)
from vr_booking.services.errors import NotFound
from vr_booking.services.open_access.capacity import SlotLoad, slot_loads
from vr_booking.services.timeutil import local_to_utc, to_local, wall_clock_exists


def get_slot(session: Session, slot_id: int) -> VRSession:
    """An open-access slot (in any status); 404 for anything else."""
    slot = session.get(VRSession, slot_id)
    if slot is None or slot.kind != SessionKind.open_access:
        raise NotFound("unknown_slot", _("This session does not exist."))
    return slot


def seat_times(rule: OpenAccessRule) -> Iterator[tuple[time, time]]:
    """Local (start, end) of each seat in the rule's window, a cleaning buffer apart."""
    day = date(2000, 1, 1)  # any date: seats are laid out in wall-clock time
    start = datetime.combine(day, rule.start_time)
    close = datetime.combine(day, rule.end_time)
    seat = timedelta(minutes=rule.seat_minutes)
    step = seat + timedelta(minutes=rule.buffer_minutes)
    while start + seat <= close:
        yield start.time(), (start + seat).time()
        start += step


@dataclass(frozen=True)
class SkippedSeat:
    """A seat of a weekly rule that the clock change breaks on one day (see
    :func:`seat_instants`); it is not created, and the manager is told."""

    day: date
    start: time
    end: time


def seat_instants(day: date, start: time, end: time,
                  zone: str) -> tuple[datetime, datetime] | None:
    """The UTC start and end of a seat, or None when a daylight-saving change breaks it.

    On the spring change a local time such as 02:30 does not exist (it would become 01:30
    UTC, before a 03:10 end at 01:10 UTC: a slot ending before it starts); on the autumn
    change a seat across 03:00 would last an hour longer. Such seats are skipped rather than
    shifted: the other seats of the day keep their wall-clock times.
    """
    starts_at, ends_at = local_to_utc(day, start, zone), local_to_utc(day, end, zone)
    length = datetime.combine(day, end) - datetime.combine(day, start)
    if not (wall_clock_exists(day, start, zone) and wall_clock_exists(day, end, zone)
            and ends_at - starts_at == length):
        return None
    return starts_at, ends_at


def skipped_seats(rule: OpenAccessRule, today: date, zone: str) -> list[SkippedSeat]:
    """The rule's seats up to its horizon that a daylight-saving change breaks."""
    return [SkippedSeat(day, start, end) for day in rule_dates(rule, today)
            for start, end in seat_times(rule) if seat_instants(day, start, end, zone) is None]


def rule_dates(rule: OpenAccessRule, today: date) -> Iterator[date]:
    """The dates within the rule's booking horizon that fall on its weekday."""
    first = today + timedelta(days=(rule.weekday - today.weekday()) % 7)
    end = today + timedelta(weeks=rule.horizon_weeks)
    day = first
    while day < end:
        if (rule.valid_from is None or day >= rule.valid_from) and (
            rule.valid_until is None or day <= rule.valid_until
        ):
            yield day
        day += timedelta(weeks=1)


def generate_slots(session: Session, rule: OpenAccessRule, today: date,
                   centre: Centre | None = None) -> list[VRSession]:
    """Create the rule's missing slots up to its horizon; existing ones are left alone.

    No slot is made on a closure day, nor where it would overlap a planned open-access slot
    that is already there (one kept from an earlier layout because it holds bookings).
    ``centre`` is the rule's, when the caller has it already. Only slots that can meet a
    seat from ``today`` on are read: the hourly sweep reads no centre's history.
    """
    if not rule.is_active:
        return []
    centre = centre or session.get(Centre, rule.centre_id)
    day_start = local_to_utc(today, time(0), centre.timezone)  # no seat starts earlier
    taken = set(session.exec(select(VRSession.starts_at).where(
        VRSession.rule_id == rule.id, VRSession.starts_at >= day_start)))
    planned = list(session.exec(select(VRSession.starts_at, VRSession.ends_at).where(
        VRSession.centre_id == centre.id, VRSession.kind == SessionKind.open_access,
        VRSession.status == SessionStatus.planned, VRSession.ends_at > day_start,
        VRSession.starts_at > day_start - LONGEST_SESSION)))  # bounded: not the history
    closed = set(session.exec(select(Closure.closed_date).where(
        Closure.centre_id == centre.id, Closure.closed_date >= today)))
    created = []
    for day in rule_dates(rule, today):
        if day in closed:
            continue
        for start, end in seat_times(rule):
            instants = seat_instants(day, start, end, centre.timezone)
            if instants is None:  # broken by a clock change: skipped_seats() reports it
                continue
            starts_at, ends_at = instants
            if starts_at in taken or any(overlaps(starts_at, ends_at, a, b) for a, b in planned):
                continue
            created.append(VRSession(centre_id=rule.centre_id, kind=SessionKind.open_access,
                                     rule_id=rule.id, starts_at=starts_at, ends_at=ends_at))
    session.add_all(created)
    session.flush()
    return created


def active_rules(session: Session) -> list[tuple[OpenAccessRule, Centre]]:
    """The active rules, each with its centre."""
    rules = session.exec(select(OpenAccessRule).where(col(OpenAccessRule.is_active))).all()
    centres = {c.id: c for c in session.exec(select(Centre).where(
        col(Centre.id).in_({rule.centre_id for rule in rules})))}
    return [(rule, centres[rule.centre_id]) for rule in rules]


def extend_rule(session: Session, rule_id: int, centre: Centre, today: date) -> int:
    """Generate one rule's missing slots (:func:`generate_slots`), the rule read again in
    this transaction (it may have been deactivated since it was listed); returns how many."""
    rule = session.get(OpenAccessRule, rule_id)
    return len(generate_slots(session, rule, today, centre)) if rule else 0


def generate_all_slots(session: Session, today: date) -> int:
    """Generate slots for every active rule, in this transaction; returns how many."""
    return sum(len(generate_slots(session, rule, today, centre))
               for rule, centre in active_rules(session))


@dataclass
class CentreDay:
    """One centre's open-access slots on one local date, with their seats."""

    centre: Centre
    day: date
    slots: list[SlotLoad] = field(default_factory=list)


def upcoming_open_access(session: Session, now: datetime, limit: int = 40,
                         centre_ids: list[int] | None = None) -> list[CentreDay]:
    """The next planned open-access slots, soonest first, grouped by centre and local day."""
    query = (
        select(VRSession)
        .where(VRSession.kind == SessionKind.open_access,
               VRSession.status == SessionStatus.planned, VRSession.starts_at > now)
        .order_by(VRSession.starts_at, VRSession.centre_id)
        .limit(limit)
    )
    if centre_ids is not None:
        query = query.where(col(VRSession.centre_id).in_(centre_ids))
    loads = slot_loads(session, list(session.exec(query).all()))
    centres = {c.id: c for c in session.exec(select(Centre).where(
        col(Centre.id).in_({load.slot.centre_id for load in loads})))}
    days: dict[tuple[int, date], CentreDay] = {}
    for load in loads:
        centre = centres[load.slot.centre_id]
        key = (centre.id, to_local(load.slot.starts_at, centre.timezone).date())
        days.setdefault(key, CentreDay(centre, key[1])).slots.append(load)
    return list(days.values())
