"""Where a headset is: derived from its home centre and its loans, never stored twice.

The rule, in one place: a loan that is ``planned``, ``in_transit``, ``active`` or ``overdue``
places its headsets at the borrowing centre on each of its days (the lender's local dates,
inclusive). An ``overdue`` loan keeps them there after its end date, until it is returned:
the headsets have not come back. A ``returned`` or ``cancelled`` loan places nothing.
Everything else (capacity, the desk, the inventory, the loans board) asks here.
"""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, or_
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
    first, last = local_dates(centre, start_at, end_at)
    loans = session.exec(
        select(LoanHeadset.headset_id, Loan)
        .join(Loan, col(Loan.id) == LoanHeadset.loan_id)
        .where(loans_in_effect(first, last))
    ).all()
    away = {hid for hid, loan in loans if loan.to_centre_id != centre.id}
    lent_here = {
        hid for hid, loan in loans
        if loan.to_centre_id == centre.id and loan.start_date <= first
        and (loan.end_date >= last or loan.status == LoanStatus.overdue)
    }
    headsets = session.exec(
        select(Headset).where(or_(Headset.home_centre_id == centre.id,
                                  col(Headset.id).in_(lent_here)))
        .order_by(Headset.asset_tag)
    ).all()
    return [h for h in headsets if h.id in lent_here or h.id not in away]


def lent_on(session: Session, day: date,
            headset_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Headset id → the centre it is lent to on ``day``, for the headsets away that day.

    The others are at their home centre. ``headset_ids`` limits the answer (None: all).
    """
    query = (select(LoanHeadset.headset_id, Loan.to_centre_id)
             .join(Loan, col(Loan.id) == LoanHeadset.loan_id)
             .where(loans_in_effect(day, day)).order_by(Loan.start_date))
    if headset_ids is not None:
        query = query.where(col(LoanHeadset.headset_id).in_(list(headset_ids)))
    return dict(session.exec(query).all())  # the latest loan wins, as in current_centre_id


def current_centre_id(session: Session, headset: Headset, at: datetime) -> int:
    """The centre a headset is at on the local date of ``at`` (its home unless on loan)."""
    return centre_ids_at(session, [headset], at)[headset.id]


def centre_ids_at(session: Session, headsets: Iterable[Headset], at: datetime) -> dict[int, int]:
    """Headset id → the centre it is at on the local date of ``at`` in its home's zone."""
    headsets = list(headsets)
    zones = dict(session.exec(select(Centre.id, Centre.timezone).where(
        col(Centre.id).in_({h.home_centre_id for h in headsets}))).all())
    found = {h.id: h.home_centre_id for h in headsets}
    for zone in set(zones.values()):
        ids = [h.id for h in headsets if zones[h.home_centre_id] == zone]
        found.update(lent_on(session, to_local(at, zone).date(), ids))
    return found
