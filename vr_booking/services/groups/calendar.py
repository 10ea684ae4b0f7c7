"""Calendar views: open access and group sessions together, a week or a month, at one
centre or across every centre a staff member sees (the network).

Each entry falls on its centre's local date and shows its centre's local times. An
open-access afternoon is one entry (its rule's slots of that day, with their bookings), not
one line a seat. Read in a fixed number of queries whatever the range.
"""

from calendar import Calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, func, select

from vr_booking.models import (
    SEAT_HOLDING,
    Booking,
    Centre,
    SessionKind,
    SessionStatus,
    VRSession,
)
from vr_booking.services.timeutil import local_date, local_to_utc

VIEWS = ("week", "month")


@dataclass
class Entry:
    """One thing on the calendar: a group session, or an open-access block of a day."""

    kind: str
    centre: Centre
    starts_at: datetime
    ends_at: datetime
    status: str
    group: VRSession | None = None
    slots: int = 0  # open access: seats of the block
    bookings: int = 0  # open access: bookings holding a seat

    @property
    def title(self) -> str:
        return self.group.title if self.group else ""


@dataclass
class CalendarDay:
    day: date
    entries: list[Entry] = field(default_factory=list)
    in_range: bool = True  # False: a day of the month grid outside the month


@dataclass
class CalendarView:
    view: str
    anchor: date
    days: list[CalendarDay]
    previous: date
    next: date

    @property
    def weeks(self) -> list[list[CalendarDay]]:
        return [self.days[i:i + 7] for i in range(0, len(self.days), 7)]

    @property
    def first(self) -> date:
        return next(d.day for d in self.days if d.in_range)

    @property
    def last(self) -> date:
        return [d.day for d in self.days if d.in_range][-1]


def calendar_view(session: Session, centres: Sequence[Centre], view: str,
                  anchor: date) -> CalendarView:
    """The week (Monday first) or the month around ``anchor`` at these centres."""
    if view == "month":
        grid = list(Calendar().itermonthdates(anchor.year, anchor.month))
        first_of_month = anchor.replace(day=1)
        previous = (first_of_month - timedelta(days=1)).replace(day=1)
        following = (first_of_month + timedelta(days=32)).replace(day=1)
    else:
        monday = anchor - timedelta(days=anchor.weekday())
        grid = [monday + timedelta(days=n) for n in range(7)]
        previous, following = monday - timedelta(days=7), monday + timedelta(days=7)
    found = entries_between(session, centres, grid[0], grid[-1])
    days = [CalendarDay(d, found.get(d, []), view == "week" or d.month == anchor.month)
            for d in grid]
    return CalendarView(view, anchor, days, previous, following)


def entries_between(session: Session, centres: Sequence[Centre], first: date, last: date,
                    with_cancelled: bool = False) -> dict[date, list[Entry]]:
    """Entries by local date from ``first`` to ``last`` (inclusive), by start time."""
    by_id = {c.id: c for c in centres}
    if not by_id:
        return {}
    zones = {c.timezone for c in centres}
    start = min(local_to_utc(first, datetime.min.time(), z) for z in zones)
    end = max(local_to_utc(last + timedelta(days=1), datetime.min.time(), z) for z in zones)
    statuses = list(SessionStatus) if with_cancelled else [SessionStatus.planned,
                                                          SessionStatus.closed]
    sessions = session.exec(select(VRSession).where(
        col(VRSession.centre_id).in_(by_id), col(VRSession.status).in_(statuses),
        VRSession.starts_at >= start, VRSession.starts_at < end)  # shown on the day it starts
        .order_by(VRSession.starts_at, VRSession.id)).all()
    entries = [Entry(s.kind, by_id[s.centre_id], s.starts_at, s.ends_at, s.status, s)
               for s in sessions if s.kind != SessionKind.open_access]
    entries += _open_access_blocks(session, by_id, [s for s in sessions
                                                    if s.kind == SessionKind.open_access])
    days: dict[date, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: (e.starts_at, e.centre.name)):
        day = local_date(entry.starts_at, entry.centre.timezone)
        if first <= day <= last:
            days.setdefault(day, []).append(entry)
    return days


def _open_access_blocks(session: Session, centres: dict[int, Centre],
                        slots: list[VRSession]) -> list[Entry]:
    """One entry a centre, rule and local day, with its seats and bookings."""
    counts = dict(session.exec(
        select(Booking.session_id, func.count()).where(
            col(Booking.session_id).in_([s.id for s in slots]),
            col(Booking.status).in_(SEAT_HOLDING)).group_by(Booking.session_id)).all())
    blocks: dict[tuple, Entry] = {}
    for slot in slots:
        centre = centres[slot.centre_id]
        key = (centre.id, slot.rule_id, local_date(slot.starts_at, centre.timezone))
        block = blocks.setdefault(key, Entry(SessionKind.open_access, centre, slot.starts_at,
                                             slot.ends_at, slot.status))
        block.starts_at, block.ends_at = min(block.starts_at, slot.starts_at), max(
            block.ends_at, slot.ends_at)
        block.slots += 1
        block.bookings += counts.get(slot.id, 0)
    return list(blocks.values())
