"""The nearest window where a refused reservation would fit, offered with the refusal.

Same length, moved by steps of 15 minutes before or after (the nearest first, never in the
past), within a week, during the day (08:00–20:00 local, or the asked hours if wider).
Where headsets are comes from their loans day by day; the allocations of the whole week are
read once, so the search costs a fixed number of queries, whatever the number of steps.
"""

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from sqlmodel import Session

from vr_booking.db import overlaps
from vr_booking.models import Centre, Headset, ServiceState
from vr_booking.services.fleet.location import headsets_at, local_dates
from vr_booking.services.fleet.reservations import by_headset, reservations
from vr_booking.services.groups.allocation import Window
from vr_booking.services.timeutil import to_local

STEP = timedelta(minutes=15)
REACH = timedelta(days=7)
DAY_OPENS, DAY_CLOSES = time(8), time(20)


def nearest_window(session: Session, centre: Centre, window: Window, now: datetime, *,
                   wanted: int, tags: Iterable[int] | None = None,
                   exclude_session_id: int | None = None) -> Window | None:
    """The nearest window with ``wanted`` free headsets (or all of ``tags``, headset ids)."""
    candidates = _candidates(window, centre.timezone, now)
    usable: dict[tuple, dict[int, Headset]] = {}
    for candidate in candidates:
        days = local_dates(centre, *candidate.blocked)
        if days not in usable:
            usable[days] = {h.id: h for h in headsets_at(session, centre, *candidate.blocked)
                            if h.service_state == ServiceState.in_service}
    if not usable:
        return None
    ids = set().union(*usable.values())
    taken = by_headset(r for r in reservations(
        session, min(c.blocked[0] for c in candidates), max(c.blocked[1] for c in candidates),
        headset_ids=ids) if r[1].id != exclude_session_id)
    needed = set(tags) if tags is not None else None
    for candidate in candidates:
        here = usable[local_dates(centre, *candidate.blocked)]
        free = {hid for hid in here if not any(
            overlaps(a.starts_at, a.ends_at, *candidate.blocked) for a, _s in taken.get(hid, []))}
        if (needed <= free) if needed is not None else len(free) >= wanted:
            return candidate
    return None


def _candidates(window: Window, zone: str, now: datetime) -> list[Window]:
    """Moved windows, nearest first (later before earlier at the same distance)."""
    found = []
    for step in range(1, REACH // STEP + 1):
        for sign in (1, -1):
            candidate = window.moved_to(window.starts_at + sign * step * STEP)
            if candidate.starts_at > now and _in_daytime(candidate, window, zone):
                found.append(candidate)
    return found


def _in_daytime(candidate: Window, asked: Window, zone: str) -> bool:
    start, end = to_local(candidate.starts_at, zone), to_local(candidate.ends_at, zone)
    asked_start, asked_end = to_local(asked.starts_at, zone), to_local(asked.ends_at, zone)
    if asked_start.date() != asked_end.date():  # a visit over several days: any start
        return True
    return (start.date() == end.date()
            and start.time() >= min(DAY_OPENS, asked_start.time())
            and end.time() <= max(DAY_CLOSES, asked_end.time()))
