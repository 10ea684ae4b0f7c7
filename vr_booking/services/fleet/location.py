"""Where a headset is: derived from its home centre and its loans, never stored twice.

A loan moves its headsets to the borrowing centre for its dates (local dates, inclusive).
A returned loan no longer counts; an overdue one counts until it is returned.
"""

from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from vr_booking.db import days_overlap
from vr_booking.models import Centre, Headset, Loan, LoanHeadset, LoanStatus
from vr_booking.services.timeutil import to_local

EFFECTIVE_LOAN_STATES = (LoanStatus.planned, LoanStatus.in_transit, LoanStatus.active,
                         LoanStatus.overdue)


def _loan_overlaps(first: date, last: date) -> ColumnElement[bool]:
    """Loans in effect on any day of [first, last] (overdue ones last until returned).

    """
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
        .where(_loan_overlaps(first, last))
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


def current_centre_id(session: Session, headset: Headset, at: datetime) -> int:
    """The centre a headset is at on the local date of ``at`` (its home unless on loan)."""
    home = session.get(Centre, headset.home_centre_id)
    day = to_local(at, home.timezone).date()
    loan = session.exec(
        select(Loan).join(LoanHeadset, col(LoanHeadset.loan_id) == Loan.id)
        .where(LoanHeadset.headset_id == headset.id, _loan_overlaps(day, day))
        .order_by(col(Loan.start_date).desc())
    ).first()
    return loan.to_centre_id if loan else headset.home_centre_id
