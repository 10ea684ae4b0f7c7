"""Reading loans: the list a staff member may see, and one loan with everything about it.

Flags are derived here from the dates, never stored: a loan out after its end date is
``late`` even before the overdue sweep has marked it ``overdue``, and a planned loan whose
first day has passed is ``not_dispatched``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, or_, select

from vr_booking.i18n import _
from vr_booking.models import (
    Centre,
    HandoverStep,
    Headset,
    Loan,
    LoanHandover,
    LoanHeadset,
    LoanStatus,
    StaffUser,
)
from vr_booking.services.access import require_centre, visible_centre_ids
from vr_booking.services.errors import InvalidInput
from vr_booking.services.loans.clashes import OUT_STATES, is_late
from vr_booking.services.loans.kits import missing_items
from vr_booking.services.timeutil import local_date

DUE_SOON_DAYS = 3


@dataclass
class HandoverView:
    handover: LoanHandover
    staff_name: str


@dataclass
class LoanView:
    """A loan with its centres, headsets, hand-overs (by step) and derived flags."""

    loan: Loan
    lender: Centre
    borrower: Centre
    headsets: list[tuple[LoanHeadset, Headset]]
    today: date  # in the lender's zone
    handovers: dict[str, HandoverView] = field(default_factory=dict)

    @property
    def is_late(self) -> bool:
        return is_late(self.loan, self.today)

    @property
    def is_due_soon(self) -> bool:
        return (self.loan.status in OUT_STATES and not self.is_late
                and self.loan.end_date - self.today <= timedelta(days=DUE_SOON_DAYS))

    @property
    def not_dispatched(self) -> bool:
        return self.loan.status == LoanStatus.planned and self.loan.start_date < self.today

    @property
    def tags(self) -> list[str]:
        return [h.asset_tag for _r, h in self.headsets]

    def kit_missing(self, row: LoanHeadset) -> list[str]:
        return missing_items(row.kit, row.kit_back)


def list_loans(session: Session, staff: StaffUser, now: datetime, *,
               centre_slug: str | None = None, status: str | None = None) -> list[LoanView]:
    """Loans of the centres this staff member sees (or of one of them), newest first."""
    if status and status not in set(LoanStatus):
        message = _("Unknown loan status.")
        raise InvalidInput("bad_status", message, {"status": message})
    ids = ({require_centre(session, staff, centre_slug).id} if centre_slug
           else visible_centre_ids(session, staff))
    query = select(Loan).where(or_(col(Loan.from_centre_id).in_(ids),
                                   col(Loan.to_centre_id).in_(ids)))
    if status:
        query = query.where(Loan.status == status)
    loans = list(session.exec(query.order_by(col(Loan.start_date).desc(), col(Loan.id).desc())))
    return views(session, loans, now)


def views(session: Session, loans: list[Loan], now: datetime) -> list[LoanView]:
    """Loan views for many loans in a fixed number of queries."""
    ids = [lo.id for lo in loans]
    centres = {c.id: c for c in session.exec(select(Centre).where(col(Centre.id).in_(
        {lo.from_centre_id for lo in loans} | {lo.to_centre_id for lo in loans})))}
    lent: dict[int, list[tuple[LoanHeadset, Headset]]] = {}
    for row, headset in session.exec(
            select(LoanHeadset, Headset).join(Headset, col(Headset.id) == LoanHeadset.headset_id)
            .where(col(LoanHeadset.loan_id).in_(ids)).order_by(Headset.asset_tag)):
        lent.setdefault(row.loan_id, []).append((row, headset))
    handovers: dict[int, dict[str, HandoverView]] = {}
    for handover, name in session.exec(
            select(LoanHandover, StaffUser.name)
            .join(StaffUser, col(StaffUser.id) == LoanHandover.staff_id, isouter=True)
            .where(col(LoanHandover.loan_id).in_(ids))):
        handovers.setdefault(handover.loan_id, {})[handover.step] = HandoverView(
            handover, name or "")
    return [LoanView(loan, centres[loan.from_centre_id], centres[loan.to_centre_id],
                     lent.get(loan.id, []), local_date(now, centres[loan.from_centre_id].timezone),
                     handovers.get(loan.id, {})) for loan in loans]


def loan_view(session: Session, loan: Loan, now: datetime) -> LoanView:
    """One loan with its headsets and hand-overs."""
    return views(session, [loan], now)[0]


def next_step(loan: Loan) -> str | None:
    """The hand-over that moves this loan along, if any."""
    return {LoanStatus.planned: HandoverStep.dispatch, LoanStatus.in_transit: HandoverStep.receipt,
            LoanStatus.active: HandoverStep.back, LoanStatus.overdue: HandoverStep.back,
            }.get(loan.status)
