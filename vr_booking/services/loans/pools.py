"""What a loan does to the headset pools of the lender and the borrower.

A loan moves headsets from the lender's pool to the borrower's for its days (the location
rule of ``fleet.location``). So writing or lengthening one shrinks the lender's pool: any
open-access slot there whose confirmed bookings no longer fit refuses it, as a clash (a
loan is never forced through). Ending headsets' stay early (cancellation, early return, a
headset left behind at dispatch) shrinks the borrower's pool instead: that is refused too
unless the manager confirms, and then ``open_access.pool`` moves the newest bookings to the
waiting list and the borrower's group reservations of those headsets are freed. Whichever
pool grows promotes its waiting list.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from vr_booking.i18n import _
from vr_booking.models import Booking, Centre, Loan
from vr_booking.services.fleet.reservations import Reservation, reservations
from vr_booking.services.loans.clashes import (
    Clash,
    HeadsetsBusy,
    loan_period,
    stranding_clashes,
)
from vr_booking.services.open_access import waitlist
from vr_booking.services.open_access.pool import StrandingConflict, settle_pool_change

EXCLUSION_VIOLATION = "23P01"  # PostgreSQL: the no-double-loan constraint refused a row


def flush_holds(session: Session) -> None:
    """Flush the loan's rows; the database's no-double-loan constraint answers as a clash.

    Under the centre lock the services' own check has already refused any overlap, so this
    only fires when that check was bypassed (it is the database's guarantee, not the rule).
    """
    try:
        session.flush()
    except IntegrityError as error:
        if getattr(error.orig, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        raise HeadsetsBusy([Clash("loan", _("A headset of this loan is already lent for "
                                            "some of these days."))], []) from error


def take_from_lender(session: Session, loan: Loan, now: datetime) -> None:
    """Refuse the flushed loan if the lender's confirmed bookings no longer fit; else give
    the borrower's waiting list the seats it gained."""
    try:
        settle_pool_change(session, [loan.from_centre_id], now, confirmed=False)
    except StrandingConflict as error:
        raise HeadsetsBusy(stranding_clashes(error), []) from error
    waitlist.promote_waiting(session, now, [loan.to_centre_id])


def give_back_to_lender(session: Session, loan: Loan, now: datetime) -> list[Booking]:
    """The lender's waiting list gets the seats that came back."""
    return waitlist.promote_waiting(session, now, [loan.from_centre_id])


def take_from_borrower(session: Session, loan: Loan, headset_ids: Iterable[int],
                       now: datetime, *, confirmed: bool) -> tuple[list[Booking],
                                                               list[Reservation]]:
    """Settle the borrower's pool after headsets left it early (the change is flushed).

    Returns the bookings moved to the waiting list and the borrower's group reservations
    freed; without ``confirmed`` any of them refuses the change (``StrandingConflict``).
    """
    lender = session.get(Centre, loan.from_centre_id)
    start_at, _end_at = loan_period(lender, loan.start_date, loan.end_date)
    found = reservations(session, max(start_at, now), headset_ids=list(headset_ids))
    stranded = [(a, s) for a, s in found if s.centre_id == loan.to_centre_id]
    moved = settle_pool_change(session, [loan.to_centre_id], now, confirmed=confirmed,
                               stranded_sessions=stranded)
    for allocation, _s in stranded:
        session.delete(allocation)
    session.flush()
    return moved, stranded
