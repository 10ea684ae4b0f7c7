"""Who may see and act on a loan.

Staff see the loans of the centres they see (``services/access.py``: a hub's manager sees
the associated centres it leads; an associated centre's staff see only their centre).
Lending, extending and cancelling are for the lender's managers; the hand-overs are done by
the staff of the centre where the headsets are at that moment: the lender's staff hand them
over and take them back, the borrower's staff receive them.
"""

from sqlmodel import Session

from vr_booking.i18n import _
from vr_booking.models import Loan, StaffUser
from vr_booking.services.access import require_manager, sees_centre, visible_centre_ids
from vr_booking.services.errors import Forbidden, NotFound


def can_see(session: Session, staff: StaffUser, loan: Loan) -> bool:
    ids = visible_centre_ids(session, staff)
    return loan.from_centre_id in ids or loan.to_centre_id in ids


def require_loan(session: Session, staff: StaffUser, loan_id: int) -> Loan:
    """The loan if this staff member may see it; 404 when unknown, 403 when not theirs."""
    loan = session.get(Loan, loan_id)
    if loan is None:
        raise NotFound("unknown_loan", _("There is no loan with this number."))
    if not can_see(session, staff, loan):
        raise Forbidden("not_your_loan", _("This loan is between other centres."))
    return loan


def require_lender_manager(session: Session, staff: StaffUser, loan: Loan) -> None:
    """Lending, extending and cancelling: the lender's managers only."""
    require_manager(session, staff, loan.from_centre_id)


def require_staff_at(session: Session, staff: StaffUser, centre_id: int) -> None:
    """A hand-over is recorded by the staff of the centre where it happens."""
    if not sees_centre(session, staff, centre_id):
        raise Forbidden("not_your_centre",
                        _("This hand-over is recorded by the staff of the other centre."))
