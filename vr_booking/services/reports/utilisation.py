"""Headset utilisation: hours used / hours available, per headset and per centre.

- *Used*: hand-out to return of every headset use in the period, at the session's centre.
- *Available*: the open-access hours held at the centre where the headset was (its home
  centre, or the borrowing centre during a loan), plus the hours it was reserved for group
  sessions. A headset retired or lost before the period began is left out; a headset in
  maintenance still counts (idle hours are what a manager wants to see).

Six SQL statements whatever the data size: uses, home open-access hours, loans, the
open-access hours inside the loans' ranges (one query over the ranges, sent as one JSON
parameter), allocations, and the headsets' tags (only when the headsets are listed). Loans
are cut at the lender's local midnights; a returned loan ends when it came back.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, select

from vr_booking.models import (
    Allocation,
    Centre,
    Headset,
    HeadsetStateChange,
    HeadsetUse,
    Loan,
    LoanHeadset,
    LoanStatus,
    ServiceState,
    SessionKind,
    SessionStatus,
    VRSession,
)
from vr_booking.services.reports.activity import pct
from vr_booking.services.reports.scope import Period, Scope, within, zone_bounds
from vr_booking.services.reports.sql import (
    Range,
    id_list,
    ids_of,
    ranges_table,
    seconds_between,
)
from vr_booking.services.timeutil import local_to_utc

GONE = (ServiceState.retired, ServiceState.lost)
Key = tuple[int, int]  # (headset id, centre id)


@dataclass
class Usage:
    used_seconds: float = 0.0
    available_seconds: float = 0.0

    @property
    def hours_used(self) -> float:
        return round(self.used_seconds / 3600, 1)

    @property
    def hours_available(self) -> float:
        return round(self.available_seconds / 3600, 1)

    @property
    def pct(self) -> float | None:
        return pct(self.used_seconds, self.available_seconds)

    def add(self, used: float, available: float) -> None:
        self.used_seconds += used
        self.available_seconds += available


@dataclass
class HeadsetUsage(Usage):
    asset_tag: str = ""


@dataclass
class Utilisation:
    by_centre: dict[int, Usage] = field(default_factory=dict)
    by_headset: list[HeadsetUsage] = field(default_factory=list)  # by asset tag
    headset_count: int = 0  # headsets seen in the scope, even when not listed


def _open_access(scope: Scope, period: Period, now: datetime):
    return (VRSession.kind == SessionKind.open_access,
            VRSession.status != SessionStatus.cancelled, VRSession.starts_at < now,
            within(VRSession.starts_at, VRSession.centre_id, scope, period))


def _used(session: Session, scope: Scope, period: Period) -> dict[Key, float]:
    # Several centres: "+ 0" keeps SQLite off the centres' index, so that it reads the
    # period's uses by their start (ix_headset_use_started_at) instead of every session of
    # the centres' whole history; one centre's history is small, its index the better way.
    centre = VRSession.centre_id if scope.centre else VRSession.centre_id + 0
    rows = session.exec(
        select(HeadsetUse.headset_id, VRSession.centre_id,
               func.sum(seconds_between(HeadsetUse.started_at, HeadsetUse.returned_at)))
        .join(VRSession, col(VRSession.id) == HeadsetUse.session_id)
        .where(col(HeadsetUse.returned_at).is_not(None),
               within(HeadsetUse.started_at, centre, scope, period))
        .group_by(HeadsetUse.headset_id, VRSession.centre_id)
    ).all()
    return {(h, c): float(s or 0) for h, c, s in rows}


def _at_home(session: Session, scope: Scope, period: Period, now: datetime) -> dict[Key, float]:
    start = min(start for start, _end in zone_bounds(scope, period).values())
    gone_before = exists().where(HeadsetStateChange.headset_id == Headset.id,
                                 HeadsetStateChange.to_state == Headset.service_state,
                                 HeadsetStateChange.changed_at < start)
    # The centres' open-access hours once, then for each of their headsets: a row a centre
    # with its headsets' ids (a network's 2,000 rows cost more to read than to count).
    hours = (select(VRSession.centre_id.label("centre_id"),
                    func.sum(seconds_between(VRSession.starts_at, VRSession.ends_at))
                    .label("seconds"))
             .where(*_open_access(scope, period, now)).group_by(VRSession.centre_id)
             .subquery())
    rows = session.exec(
        select(Headset.home_centre_id, hours.c.seconds, id_list(Headset.id))
        .join(hours, hours.c.centre_id == Headset.home_centre_id)
        .where(or_(col(Headset.service_state).not_in(GONE), ~gone_before))
        .group_by(Headset.home_centre_id, hours.c.seconds)
    ).all()
    return {(h, c): float(s or 0) for c, s, ids in rows for h in ids_of(ids)}


def _loan_ranges(session: Session, scope: Scope, period: Period, now: datetime):
    """(headset ids, lender id, borrower id, start, end) of loans that may meet the period;
    a cancelled loan never moved its headsets."""
    query = (select(Loan.id, Loan.from_centre_id, Loan.to_centre_id, Loan.start_date,
                    Loan.end_date, Loan.status, Loan.returned_at, LoanHeadset.headset_id)
             .join(LoanHeadset, col(LoanHeadset.loan_id) == Loan.id)
             .where(Loan.status != LoanStatus.cancelled,
                    Loan.start_date <= period.last + timedelta(days=1),
                    or_(Loan.end_date >= period.first - timedelta(days=1),
                        col(Loan.status).in_((LoanStatus.overdue, LoanStatus.returned)))))
    if not scope.every_centre:  # an administrator's network holds both ends of every loan
        ids = scope.ids
        query = query.where(or_(col(Loan.from_centre_id).in_(ids),
                                col(Loan.to_centre_id).in_(ids)))
    headsets: dict[int, list[int]] = defaultdict(list)
    by_id = {}
    for loan in session.exec(query):
        headsets[loan.id].append(loan.headset_id)
        by_id[loan.id] = loan
    zones = _lender_zones(session, by_id.values(), scope)
    return [(headsets[loan.id], loan.from_centre_id, loan.to_centre_id,
             *_loan_instants(loan, zones[loan.from_centre_id], now)) for loan in by_id.values()]


def _lender_zones(session: Session, loans, scope: Scope) -> dict[int, str]:
    zones = dict(scope.zones)
    missing = {loan.from_centre_id for loan in loans} - zones.keys()
    if missing:
        zones.update(session.exec(select(Centre.id, Centre.timezone)
                                  .where(col(Centre.id).in_(missing))).all())
    return zones


def _loan_instants(loan: Any, zone: str, now: datetime) -> tuple[datetime, datetime]:
    """The instants a loan (a row with its dates, status and return) holds its headsets."""
    start = local_to_utc(loan.start_date, time(0), zone)
    end = local_to_utc(loan.end_date + timedelta(days=1), time(0), zone)
    if loan.status == LoanStatus.returned and loan.returned_at is not None:
        end = loan.returned_at
    elif loan.status == LoanStatus.overdue:
        end = max(end, now)
    return start, end


def _hours_in_ranges(session: Session, scope: Scope, period: Period, now: datetime,
                     ranges: list[Range]) -> dict[int, float]:
    """Range key → open-access seconds held at the range's centre within it."""
    if not ranges:
        return {}
    table = ranges_table(session.get_bind().dialect, ranges)
    rows = session.exec(
        select(table.c.k, func.sum(seconds_between(VRSession.starts_at, VRSession.ends_at)))
        .select_from(table)
        .join(VRSession, and_(col(VRSession.centre_id) == table.c.c,
                              VRSession.starts_at >= table.c.a, VRSession.starts_at < table.c.b))
        .where(*_open_access(scope, period, now))
        .group_by(table.c.k)
    ).all()
    return {k: float(s or 0) for k, s in rows}


def _available(session: Session, scope: Scope, period: Period,
               now: datetime) -> dict[Key, float]:
    available: dict[Key, float] = defaultdict(float, _at_home(session, scope, period, now))
    loans = _loan_ranges(session, scope, period, now)
    in_scope = set(scope.ids)
    ranges = [(2 * n + side, centre, start, end)
              for n, (_h, lender, borrower, start, end) in enumerate(loans)
              for side, centre in enumerate((lender, borrower)) if centre in in_scope]
    seconds = _hours_in_ranges(session, scope, period, now, ranges)
    for n, (headset_ids, lender, borrower, _start, _end) in enumerate(loans):
        for headset_id in headset_ids:
            if (headset_id, lender) in available:  # away: not available at home meanwhile
                available[headset_id, lender] = max(
                    0.0, available[headset_id, lender] - seconds.get(2 * n, 0.0))
            if borrower in in_scope:
                available[headset_id, borrower] += seconds.get(2 * n + 1, 0.0)
    for h, c, s in session.exec(
        select(Allocation.headset_id, VRSession.centre_id,
               func.sum(seconds_between(Allocation.starts_at, Allocation.ends_at)))
        .join(VRSession, col(VRSession.id) == Allocation.session_id)
        .where(VRSession.kind != SessionKind.open_access,
               VRSession.status != SessionStatus.cancelled, VRSession.starts_at < now,
               within(VRSession.starts_at, VRSession.centre_id, scope, period))
        .group_by(Allocation.headset_id, VRSession.centre_id)
    ):
        available[h, c] += float(s or 0)
    return available


def headset_utilisation(session: Session, scope: Scope, period: Period, now: datetime,
                        per_headset: bool = True) -> Utilisation:
    """Hours used and available per centre of the scope and, with ``per_headset``, per
    headset seen there; without, only how many were seen (a network's page shows no headset
    row, and naming and sorting its 2,000 headsets was a tenth of the page's time)."""
    if not scope.centres:
        return Utilisation()
    used = _used(session, scope, period)
    available = _available(session, scope, period, now)
    by_centre = {c: Usage() for c in scope.ids}
    headsets: set[int] = set()
    # Each figure's rows added apart (a network has thousands): the keys seen in both need
    # no union, and most centres' sums are one attribute away.
    for (headset_id, centre), seconds in used.items():
        if centre in by_centre:
            by_centre[centre].used_seconds += seconds
            headsets.add(headset_id)
    for (headset_id, centre), seconds in available.items():
        if centre in by_centre:
            by_centre[centre].available_seconds += seconds
            headsets.add(headset_id)
    result = Utilisation(by_centre, headset_count=len(headsets))
    if per_headset and headsets:
        seen = [key for key in used.keys() | available.keys() if key[1] in by_centre]
        result.by_headset = _by_headset(session, scope, seen, used, available)
    return result


def _by_headset(session: Session, scope: Scope, seen: list[Key], used: dict[Key, float],
                available: dict[Key, float]) -> list[HeadsetUsage]:
    """The usage of each headset seen in the scope, by asset tag."""
    per_headset: dict[int, HeadsetUsage] = defaultdict(HeadsetUsage)
    for key in seen:
        per_headset[key[0]].add(used.get(key, 0.0), available.get(key, 0.0))
    query = select(Headset.id, Headset.asset_tag)
    if not scope.every_centre:  # an administrator's network: every tag, without a list
        query = query.where(col(Headset.id).in_(per_headset.keys()))
    tags = dict(session.exec(query).all())
    for headset_id, usage in per_headset.items():
        usage.asset_tag = tags[headset_id]
    return sorted(per_headset.values(), key=lambda u: u.asset_tag)
