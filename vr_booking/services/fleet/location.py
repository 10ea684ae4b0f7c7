"""Where a headset is: derived from its home centre and its loans, never stored twice.

The rule, in one place: a loan that is ``planned``, ``in_transit``, ``active`` or ``overdue``
places its headsets at the borrowing centre on each of its days (the lender's local dates,
inclusive). An ``overdue`` loan keeps them there after its end date, until it is returned:
the headsets have not come back. A ``returned`` or ``cancelled`` loan places nothing.
Everything else (capacity, the desk, the inventory, the loans board) asks here.
"""

from collections.abc import Iterable
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_
from sqlmodel import Session, col, select

from vr_booking.db import days_overlap
from vr_booking.models import Centre, Headset, Loan, LoanHeadset, LoanStatus
from vr_booking.services.timeutil import to_local

EFFECTIVE_LOAN_STATES = (LoanStatus.planned, LoanStatus.in_transit, LoanStatus.active,
                         LoanStatus.overdue)


def loans_in_effect(first: date, last: date) -> ColumnElement[bool]:
    """SQL: loans placing their headsets away on any day of [first, last]."""
    return and_(
        col(Loan.status).in_(EFFECTIVE_LOAN_STATES),
        or_(days_overlap(Loan.start_date, Loan.end_date, first, last),
            and_(Loan.status == LoanStatus.overdue, Loan.start_date <= last)),
    )


def local_dates(centre: Centre, start_at: datetime, end_at: datetime) -> tuple[date, date]:
    """The centre's local dates spanned by [start_at, end_at)."""
    return (to_local(start_at, centre.timezone).date(),
            to_local(end_at, centre.timezone).date())


def headsets_at(session: Session, centre: Centre, start_at: datetime,
                end_at: datetime) -> list[Headset]:
    """Headsets at ``centre`` for the whole range, whatever their service state.

    Those based here and not lent away on any of its days, plus those lent here for all of
    its days.
    """
    key = (centre.id, *local_dates(centre, start_at, end_at))
    return headsets_at_many(session, [key])[key]


Stay = tuple[int, date, date]
"""A centre id and the local days (first, last) a headset must be there for."""


def headsets_at_many(session: Session, stays: Iterable[Stay],
                     query: Select | None = None) -> dict[Stay, list[Headset]]:
    """:func:`headsets_at` for several centres and day ranges in two statements.

    Only the loans of headsets based at these centres or lent to them, in effect during the
    widest range, are read; each range is then settled with the same rule in Python.
    ``query`` chooses what is read of the headsets (whole rows by default): columns that
    include ``id``, ``home_centre_id`` and ``asset_tag``, possibly with a filter.
    """
    stays = set(stays)
    if not stays:
        return {}
    ids = {centre_id for centre_id, _f, _l in stays}
    loans = session.exec(
        select(LoanHeadset.headset_id, Headset.home_centre_id, Loan.to_centre_id,
               Loan.start_date, Loan.end_date, Loan.status)
        .join(Loan, col(Loan.id) == LoanHeadset.loan_id)
        .join(Headset, col(Headset.id) == LoanHeadset.headset_id)
        .where(loans_in_effect(min(f for _c, f, _l in stays), max(la for _c, _f, la in stays)),
               or_(col(Headset.home_centre_id).in_(ids), col(Loan.to_centre_id).in_(ids)))
    ).all()
    by_centre: dict[int, list[Stay]] = {}
    for stay in stays:
        by_centre.setdefault(stay[0], []).append(stay)
    away: dict[Stay, set[int]] = {stay: set() for stay in stays}
    lent_here: dict[Stay, set[int]] = {stay: set() for stay in stays}
    for hid, home, to, start, end, status in loans:
        for stay in by_centre.get(to, []):
            if in_effect(status, start, end, stay[1], stay[2]) and start <= stay[1] and (
                    end >= stay[2] or status == LoanStatus.overdue):
                lent_here[stay].add(hid)
        for stay in by_centre.get(home, []) if home != to else []:
            if in_effect(status, start, end, stay[1], stay[2]):
                away[stay].add(hid)
    guests = set().union(*lent_here.values())
    headsets = session.exec(
        (select(Headset) if query is None else query)
        .where(or_(col(Headset.home_centre_id).in_(ids), col(Headset.id).in_(guests)))
        .order_by(Headset.asset_tag)
    ).all()
    based: dict[int, list[Headset]] = {}
    for headset in headsets:
        based.setdefault(headset.home_centre_id, []).append(headset)
    by_id = {h.id: h for h in headsets} if guests else {}
    return {stay: _settled(stay[0], based.get(stay[0], []), away[stay], lent_here[stay], by_id)
            for stay in stays}


_BY_TAG = attrgetter("asset_tag")


def _settled(centre_id: int, based: list[Headset], away: set[int], lent_here: set[int],
             by_id: dict[int, Headset]) -> list[Headset]:
    """One stay's headsets by asset tag: those based here but not away, plus those lent here.
    A page of the network's next slots settles 40 stays of 50 headsets, most of them with
    no loan at all: those are the based list as it is."""
    if away:
        based = [h for h in based if h.id not in away or h.id in lent_here]
    guests = [by_id[i] for i in lent_here if i in by_id and by_id[i].home_centre_id != centre_id]
    return sorted(based + guests if guests else based, key=_BY_TAG)


def at_centre_throughout(centre_id: Any, first: Any, last: Any) -> ColumnElement[bool]:
    """SQL twin of :func:`headsets_at_many` for one stay, a condition on ``headset`` rows:
    the headset is at ``centre_id`` on every day of [first, last] (values or bind
    parameters).

    Lent here for all of those days, or based here and lent nowhere else on any of them —
    the same rule, asked of the database so that one slot's seats are counted in one
    statement under the booking's lock (tests compare the two on every kind of loan).
    """
    lent_here = (select(LoanHeadset.headset_id).join(Loan, col(Loan.id) == LoanHeadset.loan_id)
                 .where(Loan.to_centre_id == centre_id, loans_in_effect(first, last),
                        Loan.start_date <= first,
                        or_(Loan.end_date >= last, Loan.status == LoanStatus.overdue)))
    lent_away = exists().where(LoanHeadset.headset_id == Headset.id,
                               col(Loan.id) == LoanHeadset.loan_id,
                               Loan.to_centre_id != centre_id, loans_in_effect(first, last))
    return or_(col(Headset.id).in_(lent_here),
               and_(Headset.home_centre_id == centre_id, ~lent_away))


def in_effect(status: str, start: date, end: date, first: date, last: date) -> bool:
    """:func:`loans_in_effect` for one loan, in Python: it places its headsets away on a day
    of [first, last]."""
    return status in EFFECTIVE_LOAN_STATES and start <= last and (
        end >= first or status == LoanStatus.overdue)


def current_centre_id(session: Session, headset: Headset, at: datetime) -> int:
    """The centre a headset is at on the local date of ``at`` (its home unless on loan)."""
    return centre_ids_at(session, [headset], at)[headset.id]


def centre_ids_at(session: Session, headsets: Iterable[Headset], at: datetime) -> dict[int, int]:
    """Headset id → the centre it is at on the local date of ``at`` in its home's zone.

    One statement for the zones and one for the loans, whatever the number of zones.
    """
    headsets = list(headsets)
    if not headsets:
        return {}
    zones = dict(session.exec(select(Centre.id, Centre.timezone).where(
        col(Centre.id).in_({h.home_centre_id for h in headsets}))).all())
    days = {h.id: to_local(at, zones[h.home_centre_id]).date() for h in headsets}
    found = {h.id: h.home_centre_id for h in headsets}
    loans = session.exec(
        select(LoanHeadset.headset_id, Loan.to_centre_id, Loan.start_date, Loan.end_date,
               Loan.status)
        .join(Loan, col(Loan.id) == LoanHeadset.loan_id)
        .where(loans_in_effect(min(days.values()), max(days.values())),
               col(LoanHeadset.headset_id).in_(list(days)))
        .order_by(Loan.start_date)
    ).all()
    for hid, to, start, end, status in loans:  # the latest loan wins
        if in_effect(status, start, end, days[hid], days[hid]):
            found[hid] = to
    return found
