"""What a report covers: the centres a manager may read, the period, and how the period is
cut in each centre's own time zone (a day in Paris is not a day in Nouméa).

Periods are inclusive local dates. In SQL a row is "in the period" when its instant falls
between the local midnights that start the first day and end the last one, in the zone of
the row's centre; centres are grouped by zone, so the condition has one branch a zone.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, case, false, or_
from sqlmodel import Session

from vr_booking.i18n import _
from vr_booking.models import Centre, Role, StaffUser
from vr_booking.services.access import (
    is_manager,
    require_managed_centre,
    visible_centre_rows,
)
from vr_booking.services.errors import Forbidden, InvalidInput
from vr_booking.services.timeutil import day_bounds, local_date

MAX_PERIOD_DAYS = 5 * 366
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    """Inclusive local dates."""

    first: date
    last: date


class ReportCentre(Protocol):
    """What a report reads of a centre: a :class:`Centre`, or a network's row of
    :data:`CENTRE_COLUMNS`."""

    id: int
    slug: str
    name: str
    timezone: str


CENTRE_COLUMNS = (Centre.id, Centre.slug, Centre.name, Centre.timezone)


@dataclass
class Scope:
    """The centres a report covers; ``centre`` is None for the network-wide view."""

    centres: Sequence[ReportCentre]
    centre: Centre | None = None
    every_centre: bool = False  # an administrator's network: SQL needs no list of centres

    @cached_property
    def ids(self) -> list[int]:
        return [c.id for c in self.centres]

    @cached_property
    def zones(self) -> dict[int, str]:
        """Centre id → time zone (a network's loans ask for their lenders' zones)."""
        return {c.id: c.timezone for c in self.centres}

    @cached_property
    def by_id(self) -> dict[int, ReportCentre]:
        return {c.id: c for c in self.centres}

    @cached_property
    def ids_by_zone(self) -> dict[str, list[int]]:
        """Time zone → ids of the scope's centres there. Read once a request: a figure's SQL
        asks for it once a condition, a dozen times a page, and reading 360 centres'
        attributes each time was a tenth of the network dashboard's Python."""
        zones: dict[str, list[int]] = defaultdict(list)
        for centre in self.centres:
            zones[centre.timezone].append(centre.id)
        return dict(zones)


def check_period(first: date | None, last: date | None, today: date) -> Period:
    """The period asked for (this month when nothing is given), or field errors."""
    if first is None and last is None:
        first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    first = first or last.replace(day=1)
    last = last or max(first, today)
    problems = {}
    for name, day in (("from", first), ("to", last)):
        if not FIRST_DAY <= day <= LAST_DAY:
            problems[name] = _("Choose a date between 2000 and 2100.")
    if not problems and last < first:
        problems["to"] = _("The end of the period comes before its start.")
    if not problems and (last - first).days >= MAX_PERIOD_DAYS:
        problems["to"] = _("A report covers at most five years.")
    if problems:
        raise InvalidInput("invalid_period", " ".join(problems.values()), problems)
    return Period(first, last)


def report_scope(session: Session, user: StaffUser, slug: str | None) -> Scope:
    """One centre the user manages, or every centre they manage (network-wide)."""
    if slug:
        centre = require_managed_centre(session, user, slug)
        return Scope([centre], centre)
    if not is_manager(user):
        raise Forbidden("managers_only", _("Reports are for the centres' managers."))
    return Scope(visible_centre_rows(session, user, *CENTRE_COLUMNS),
                 every_centre=user.role == Role.admin)


def period_shortcuts(today: date) -> list[tuple[str, Period]]:
    """The periods managers ask for most: this and last month, this and last year."""
    month = today.replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    return [(_("This month"), Period(month, next_month - timedelta(days=1))),
            (_("Last month"), Period(last_month, month - timedelta(days=1))),
            (_("This year"), Period(date(today.year, 1, 1), date(today.year, 12, 31))),
            (_("Last year"), Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)))]


def scope_today(scope: Scope, now: datetime) -> date:
    """Today in the zone of the scope's centre (its first centre's for a network)."""
    return local_date(now, scope.centres[0].timezone) if scope.centres else now.date()


def scope_and_period(session: Session, user: StaffUser, slug: str | None, first: date | None,
                     last: date | None, now: datetime,
                     network: Scope | None = None) -> tuple[Scope, Period]:
    """The centres the user asked for (and may read) and the period, checked; ``network``:
    the user's network scope when the caller has already read it."""
    scope = network if network is not None and not slug else report_scope(session, user, slug)
    return scope, check_period(first, last, scope_today(scope, now))


def zone_bounds(scope: Scope, period: Period) -> dict[str, tuple[datetime, datetime]]:
    """For each time zone of the scope: the UTC instants starting and ending the period."""
    return {zone: (day_bounds(period.first, zone)[0], day_bounds(period.last, zone)[1])
            for zone in scope.ids_by_zone}  # once a zone, not a centre


def within(instant: Any, centre_id: Any, scope: Scope, period: Period) -> ColumnElement[bool]:
    """SQL: ``centre_id`` is a centre of the scope and ``instant`` falls in the period, cut
    in that centre's zone."""
    ids_by_zone = scope.ids_by_zone
    bounds = zone_bounds(scope, period)
    if scope.every_centre and len(ids_by_zone) == 1:  # every centre, one zone: no list
        start, end = next(iter(bounds.values()))
        return and_(instant >= start, instant < end)
    branches = [and_(centre_id.in_(ids), instant >= bounds[zone][0],
                     instant < bounds[zone][1]) for zone, ids in ids_by_zone.items()]
    return or_(*branches) if branches else false()


def month_bounds(year: int, zone: str) -> list[datetime]:
    """The 13 UTC instants cutting ``year`` into its local months in ``zone``."""
    return [day_bounds(date(year + month // 12, month % 12 + 1, 1), zone)[0]
            for month in range(13)]


def month_of(instant: Any, bounds: list[datetime]) -> Any:
    """SQL: the month (1–12) of ``instant`` between ``bounds`` (see :func:`month_bounds`)."""
    return case(*((instant < bounds[month], month) for month in range(1, 12)), else_=12)
