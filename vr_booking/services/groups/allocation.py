"""Reserving headsets for a group session without conflict.

A headset can be reserved for a session when, for the whole time it is taken, it is at the
session's centre (its home or a loan there, :mod:`vr_booking.services.fleet.location`), in
service, and not reserved by anything else. "The whole time it is taken" is the blocked
range: the session's window, plus a forum's transport before and after (its headsets are
away meanwhile), plus the cleaning after the last round. Allocations store that range, so
the database rule "no two overlapping allocations of a headset" (see the migration) is the
whole rule, and every reader (capacity, the desk) sees a forum's headsets away.

Callers hold :func:`vr_booking.db.lock_centres` for the centre; the database refuses what
slips past the lock (:func:`reserve` then raises
:class:`~vr_booking.services.fleet.reservations.DoubleAllocation`).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_datetime, format_time
from sqlmodel import Session

from vr_booking.i18n import _, current_language
from vr_booking.labels import label
from vr_booking.models import Allocation, Centre, Headset, ServiceState, VRSession
from vr_booking.services.errors import Conflict
from vr_booking.services.fleet.content import installed_videos
from vr_booking.services.fleet.location import current_centre_id, headsets_at
from vr_booking.services.fleet.reservations import (
    Reservation,
    add_allocations,
    by_headset,
    reservations,
)
from vr_booking.services.timeutil import to_local


@dataclass(frozen=True)
class Window:
    """A session's time at its centre, and what its headsets need around it."""

    starts_at: datetime
    ends_at: datetime
    transport_minutes: int = 0
    cleaning_minutes: int = 0

    @classmethod
    def of(cls, vr_session: VRSession) -> "Window":
        return cls(vr_session.starts_at, vr_session.ends_at, vr_session.transport_minutes,
                   vr_session.cleaning_minutes)

    @property
    def blocked(self) -> tuple[datetime, datetime]:
        """From departure until back and clean: the range an allocation stores."""
        away = timedelta(minutes=self.transport_minutes)
        return (self.starts_at - away,
                self.ends_at + away + timedelta(minutes=self.cleaning_minutes))

    def moved_to(self, starts_at: datetime) -> "Window":
        return Window(starts_at, starts_at + (self.ends_at - self.starts_at),
                      self.transport_minutes, self.cleaning_minutes)


@dataclass(frozen=True)
class Clash:
    """A headset that cannot be reserved, and what holds it (in people's words)."""

    headset: Headset
    held_by: str


class HeadsetsBusy(Conflict):
    """Not enough of the wanted headsets are free: what clashes, what is free, and the
    nearest window where the request fits (None when none within a week).

    Everything is put into words and tags at once: the refused transaction rolls back
    (and its rows expire) before the answer is written.
    """

    def __init__(self, clashes: list[Clash], free: list[Headset], wanted: int,
                 nearest: Window | None, zone: str) -> None:
        self.clashes = [(c.headset.asset_tag, c.held_by) for c in clashes]
        self.free = [h.asset_tag for h in free]
        self.nearest = nearest
        lines = [_("{tag}: {held_by}").format(tag=tag, held_by=held_by)
                 for tag, held_by in self.clashes]
        heading = _("Not enough free headsets for this time: {wanted} wanted, {free} "
                    "free.").format(wanted=wanted, free=len(free))
        if nearest is not None:
            lines.append(_("The nearest time that fits starts on {when}.").format(
                when=_when(nearest.starts_at, nearest.ends_at, zone)))
        super().__init__("headsets_busy", "\n".join([heading, *lines]))

    def extra(self) -> dict[str, Any]:
        nearest = None if self.nearest is None else {
            "starts_at": self.nearest.starts_at.isoformat(),
            "ends_at": self.nearest.ends_at.isoformat()}
        return {"clashes": [{"asset_tag": tag, "held_by": held_by}
                            for tag, held_by in self.clashes],
                "free": self.free, "nearest_window": nearest}


@dataclass
class Availability:
    """The headsets for a window: those free, and those asked for or here but taken."""

    free: list[Headset]
    clashes: list[Clash]


def availability(session: Session, centre: Centre, window: Window,
                 asked: Sequence[Headset] = (), exclude_session_id: int | None = None
                 ) -> Availability:
    """Which headsets at ``centre`` (and which ``asked`` ones) can be reserved for ``window``."""
    start, end = window.blocked
    here = {h.id: h for h in headsets_at(session, centre, start, end)}
    considered = {**here, **{h.id: h for h in asked}}
    taken = by_headset(r for r in reservations(session, start, end, headset_ids=considered)
                       if r[1].id != exclude_session_id)
    free, clashes = [], []
    for headset in sorted(considered.values(), key=lambda h: h.asset_tag):
        held_by = _held_by(session, centre, headset, here, taken.get(headset.id), start, end)
        if held_by is None:
            free.append(headset)
        else:
            clashes.append(Clash(headset, held_by))
    return Availability(free, clashes)


def _held_by(session: Session, centre: Centre, headset: Headset, here: dict[int, Headset],
             taken: list[Reservation] | None, start: datetime, end: datetime) -> str | None:
    if headset.id not in here:
        where = current_centre_id(session, headset, start)
        if where == centre.id:
            where = current_centre_id(session, headset, end)
        return _("at {centre} during this time").format(
            centre=session.get(Centre, where).name)
    if headset.service_state != ServiceState.in_service:
        return _("out of service ({state})").format(state=label(headset.service_state))
    if taken:
        _allocation, other = taken[0]
        zone = session.get(Centre, other.centre_id).timezone
        return _("{session} ({when})").format(session=other.title or label(other.kind),
                                               when=_when(other.starts_at, other.ends_at, zone))
    return None


def _when(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    language = current_language.get()
    return "{start}–{end}".format(
        start=format_datetime(to_local(starts_at, zone), "short", locale=language),
        end=format_time(to_local(ends_at, zone), "short", locale=language))


def choose_headsets(session: Session, found: Availability, wanted: int,
                    video_ids: Iterable[int], prefer: Iterable[int] = ()) -> list[Headset]:
    """The best ``wanted`` free headsets: those already held (an edit) first, then those
    holding most of the planned videos, then by tag. Charge is checked at hand-out."""
    planned, kept = set(video_ids), set(prefer)
    installed = installed_videos(session, [h.id for h in found.free]) if planned else {}
    ranked = sorted(found.free, key=lambda h: (
        h.id not in kept, -len(planned & installed.get(h.id, set())), h.asset_tag))
    return ranked[:wanted]


def reserve(session: Session, vr_session: VRSession, headsets: Sequence[Headset]
            ) -> list[Allocation]:
    """Store the session's allocations for its blocked range; raises DoubleAllocation."""
    start, end = Window.of(vr_session).blocked
    rows = [Allocation(headset_id=h.id, session_id=vr_session.id, starts_at=start,
                       ends_at=end) for h in headsets]
    add_allocations(session, rows)
    return rows
