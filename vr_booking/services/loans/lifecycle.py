"""Lending headsets, lengthening a loan and cancelling one (the lender's managers).

Each command locks the lender and the borrower (``db.lock_centres``), re-reads, checks the
clashes (``clashes.py``), writes, then settles both pools (``pools.py``). The hand-overs
that move a loan along (dispatch, receipt, return) are in ``handovers.py``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from vr_booking.db import lock_centres
from vr_booking.i18n import _
from vr_booking.models import (
    Booking,
    Centre,
    Headset,
    Loan,
    LoanHeadset,
    LoanStatus,
    StaffUser,
)
from vr_booking.services.access import centre_by_slug, require_manager
from vr_booking.services.audit import record
from vr_booking.services.errors import Conflict, InvalidInput, NotFound
from vr_booking.services.fleet.location import EFFECTIVE_LOAN_STATES
from vr_booking.services.fleet.reservations import Reservation
from vr_booking.services.loans.access import require_lender_manager
from vr_booking.services.loans.clashes import HeadsetsBusy, find_clashes, free_headsets
from vr_booking.services.loans.inputs import (
    MAX_LOAN_DAYS,
    LoanRequest,
    check_borrower,
    check_request,
    lender_headsets,
)
from vr_booking.services.loans.pools import (
    flush_holds,
    give_back_to_lender,
    take_from_borrower,
    take_from_lender,
)
from vr_booking.services.timeutil import local_date


@dataclass
class LoanChange:
    """A changed loan, with the borrower's bookings it sent to the waiting list and the
    borrower's group reservations it freed (only when the manager confirmed)."""

    loan: Loan
    waitlisted: list[Booking] = field(default_factory=list)
    freed: list[Reservation] = field(default_factory=list)


def lender_today(session: Session, loan: Loan, now: datetime) -> date:
    """Today in the lender's zone: the loan's dates are the lender's local dates."""
    return local_date(now, session.get(Centre, loan.from_centre_id).timezone)


def loan_headsets(session: Session, loan: Loan) -> list[Headset]:
    return list(session.exec(
        select(Headset).join(LoanHeadset, col(LoanHeadset.headset_id) == Headset.id)
        .where(LoanHeadset.loan_id == loan.id).order_by(Headset.asset_tag)))


def create_loan(session: Session, staff: StaffUser, data: LoanRequest, now: datetime) -> Loan:
    """Lend headsets to an associated centre (``planned``), or refuse with the clashes."""
    lender = _centre(session, data.from_centre, "from_centre")
    require_manager(session, staff, lender.id)
    borrower = _centre(session, data.to_centre, "to_centre")
    check_borrower(lender, borrower)
    today = local_date(now, lender.timezone)
    check_request(data, today)
    headsets = lender_headsets(session, lender, data.headset_tags)
    lock_centres(session, [lender.id, borrower.id])
    clashes = find_clashes(session, lender, borrower.id, headsets, data.start_date,
                           data.end_date, today)
    if clashes:
        raise HeadsetsBusy(clashes, free_headsets(
            session, lender, borrower.id, data.start_date, data.end_date, today,
            leave_out=[h.id for h in headsets]))
    loan = Loan(from_centre_id=lender.id, to_centre_id=borrower.id, start_date=data.start_date,
                end_date=data.end_date, notes=data.notes.strip(), created_by_id=staff.id,
                created_at=now)
    session.add(loan)
    session.flush()
    session.add_all(LoanHeadset.of(loan, h.id, kit=list(data.kit)) for h in headsets)
    flush_holds(session)
    take_from_lender(session, loan, now)
    record(session, staff, "loan.created", centre_id=lender.id, subject_type="loan",
           subject_id=loan.id, summary=f"{', '.join(h.asset_tag for h in headsets)} to "
           f"{borrower.slug} from {loan.start_date} to {loan.end_date}")
    return loan


def _centre(session: Session, slug: str, name: str) -> Centre:
    """A centre named in the request; an unknown one is a mistake in that field."""
    try:
        return centre_by_slug(session, slug.strip())
    except NotFound as error:
        raise InvalidInput(error.code, error.message, {name: error.message}) from error


def extend_loan(session: Session, staff: StaffUser, loan: Loan, end_date: date,
                now: datetime) -> Loan:
    """Move a loan's end later, if its headsets are free for the added days."""
    require_lender_manager(session, staff, loan)
    if loan.status not in EFFECTIVE_LOAN_STATES:
        raise Conflict("wrong_status", _("This loan is over: it can no longer be extended."))
    today = lender_today(session, loan, now)
    _check_new_end(loan, end_date, today)
    lender = session.get(Centre, loan.from_centre_id)
    lock_centres(session, [loan.from_centre_id, loan.to_centre_id])
    clashes = [c for c in find_clashes(
        session, lender, loan.to_centre_id, loan_headsets(session, loan),
        loan.end_date + timedelta(days=1), end_date, today, loan_id=loan.id)
        if c.kind != "out_of_service"]
    if clashes:
        raise HeadsetsBusy(clashes, [])
    old_end, was_overdue = loan.end_date, loan.status == LoanStatus.overdue
    loan.end_date = end_date
    if was_overdue:  # due back later now: no longer late
        loan.status = LoanStatus.active
    session.add(loan)
    flush_holds(session)
    take_from_lender(session, loan, now)
    if was_overdue:  # its headsets were away with no end; now they are due back
        give_back_to_lender(session, loan, now)
    record(session, staff, "loan.extended", centre_id=loan.from_centre_id, subject_type="loan",
           subject_id=loan.id, summary=f"end date {old_end} → {end_date}")
    return loan


def _check_new_end(loan: Loan, end_date: date, today: date) -> None:
    message = None
    if end_date <= loan.end_date:
        message = _("An extension ends after the current end date.")
    elif end_date < today:
        message = _("The new end date is already past.")
    elif end_date - loan.start_date >= timedelta(days=MAX_LOAN_DAYS):
        message = _("A loan lasts at most {days} days.").format(days=MAX_LOAN_DAYS)
    if message:
        raise InvalidInput("invalid_extension", message, {"end_date": message})


def cancel_loan(session: Session, staff: StaffUser, loan: Loan, now: datetime, *,
                confirmed: bool = False) -> LoanChange:
    """Cancel a loan not handed over yet; the borrower loses the headsets it counted on."""
    require_lender_manager(session, staff, loan)
    if loan.status != LoanStatus.planned:
        raise Conflict("wrong_status", _("Only a loan not yet handed over can be cancelled; "
                                         "record the headsets' return instead."))
    lock_centres(session, [loan.from_centre_id, loan.to_centre_id])
    loan.status, loan.cancelled_at = LoanStatus.cancelled, now
    session.add(loan)
    session.flush()
    ids = [h.id for h in loan_headsets(session, loan)]
    waitlisted, freed = take_from_borrower(session, loan, ids, now, confirmed=confirmed)
    give_back_to_lender(session, loan, now)
    record(session, staff, "loan.cancelled", centre_id=loan.from_centre_id,
           subject_type="loan", subject_id=loan.id,
           summary=f"{len(waitlisted)} bookings to the waiting list, {len(freed)} "
                   "reservations freed")
    return LoanChange(loan, waitlisted, freed)
