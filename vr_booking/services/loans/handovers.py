"""The three hand-overs of a loan, each by scanning the headsets' QR labels.

- dispatch (``planned`` → ``in_transit``): the lender's staff hand the headsets over, with
  each one's kit and condition; a headset not scanned stays home (it leaves the loan).
- receipt (``in_transit`` → ``active``): the borrower's staff scan what arrived.
- return (``in_transit``, ``active`` or ``overdue`` → ``returned``): the lender's staff take
  them back, with each one's condition and the kit that came back.

A missing or extra headset refuses the hand-over (``ScanMismatch``) unless it is accepted;
then it is recorded on the hand-over, flagged on the loan's page.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from vr_booking.db import lock_centres
from vr_booking.i18n import _
from vr_booking.models import (
    Booking,
    Condition,
    HandoverStep,
    Headset,
    Loan,
    LoanHandover,
    LoanHeadset,
    LoanStatus,
    StaffUser,
)
from vr_booking.services.audit import record
from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.fleet.reservations import Reservation
from vr_booking.services.loans.access import require_staff_at
from vr_booking.services.loans.clashes import OUT_STATES
from vr_booking.services.loans.lifecycle import lender_today
from vr_booking.services.loans.pools import give_back_to_lender, take_from_borrower
from vr_booking.services.loans.scanning import ScanCheck, ScanMismatch

MAX_NOTES = 500


@dataclass
class HeadsetCheck:
    """What is recorded for one headset: its condition, notes, and kit (None: as planned
    at dispatch, everything sent at return)."""

    condition: str = Condition.good
    notes: str = ""
    kit: list[str] | None = None


@dataclass
class Handover:
    """A hand-over as recorded: the scans, per-headset checks, who is on the other side."""

    scanned: list[str]
    headsets: dict[str, HeadsetCheck] = field(default_factory=dict)
    counterpart: str = ""
    notes: str = ""
    accept_mismatch: bool = False  # go ahead although headsets are missing or extra
    confirm: bool = False  # go ahead although the borrower's bookings no longer fit


@dataclass
class HandoverResult:
    loan: Loan
    check: ScanCheck
    waitlisted: list[Booking] = field(default_factory=list)
    freed: list[Reservation] = field(default_factory=list)


def lent_rows(session: Session, loan: Loan) -> list[tuple[LoanHeadset, Headset]]:
    return list(session.exec(
        select(LoanHeadset, Headset).join(Headset, col(Headset.id) == LoanHeadset.headset_id)
        .where(LoanHeadset.loan_id == loan.id).order_by(Headset.asset_tag)))


def check_scans(session: Session, loan: Loan, scanned: list[str]) -> ScanCheck:
    """What the scans so far say against the loan (for the live list while scanning)."""
    return ScanCheck([h.asset_tag for _r, h in lent_rows(session, loan)], scanned)


def dispatch_loan(session: Session, staff: StaffUser, loan: Loan, data: Handover,
                  now: datetime) -> HandoverResult:
    """Hand the scanned headsets over to the borrower (or whoever carries them)."""
    require_staff_at(session, staff, loan.from_centre_id)
    _require_status(loan, (LoanStatus.planned,), _("Only a planned loan can be handed over."))
    _check_dispatch_day(session, loan, now)
    lock_centres(session, [loan.from_centre_id, loan.to_centre_id])
    rows = lent_rows(session, loan)
    check = _checked_scan(rows, data)
    for row, headset in rows:
        if headset.asset_tag in check.missing:
            session.delete(row)  # stays at home: it leaves the loan
            continue
        entry = data.headsets.get(headset.asset_tag, HeadsetCheck())
        row.condition_out, row.notes_out = entry.condition, entry.notes
        row.kit = row.kit if entry.kit is None else entry.kit
        session.add(row)
    loan.status = LoanStatus.in_transit
    result = _record(session, staff, loan, HandoverStep.dispatch, data, check, now)
    if check.missing:
        left = [h.id for _r, h in rows if h.asset_tag in check.missing]
        result.waitlisted, result.freed = take_from_borrower(session, loan, left, now,
                                                             confirmed=data.confirm)
        give_back_to_lender(session, loan, now)
    return result


def _check_dispatch_day(session: Session, loan: Loan, now: datetime) -> None:
    today = lender_today(session, loan, now)
    if today < loan.start_date:
        raise Conflict("too_early", _("This loan starts on {day}: hand the headsets over from "
                                      "that day.").format(day=loan.start_date.isoformat()))
    if today > loan.end_date:
        raise Conflict("loan_dates_over", _("This loan's days are over: cancel it, or extend "
                                            "it before handing the headsets over."))


def receive_loan(session: Session, staff: StaffUser, loan: Loan, data: Handover,
                 now: datetime) -> HandoverResult:
    """The borrower scans the headsets that arrived; the loan becomes active."""
    require_staff_at(session, staff, loan.to_centre_id)
    _require_status(loan, (LoanStatus.in_transit,),
                    _("Only headsets on their way can be received."))
    lock_centres(session, [loan.from_centre_id, loan.to_centre_id])
    rows = lent_rows(session, loan)
    check = _checked_scan(rows, data)
    for row, headset in rows:
        if headset.asset_tag in check.matched:
            row.received_at = now
            session.add(row)
    loan.status = LoanStatus.active
    return _record(session, staff, loan, HandoverStep.receipt, data, check, now)


def return_loan(session: Session, staff: StaffUser, loan: Loan, data: Handover,
                now: datetime) -> HandoverResult:
    """The lender takes the headsets back; an early return re-checks the borrower's pool."""
    require_staff_at(session, staff, loan.from_centre_id)
    _require_status(loan, OUT_STATES, _("Only headsets handed over can come back."))
    lock_centres(session, [loan.from_centre_id, loan.to_centre_id])
    rows = lent_rows(session, loan)
    check = _checked_scan(rows, data)
    for row, headset in rows:
        entry = data.headsets.get(headset.asset_tag, HeadsetCheck())
        if headset.asset_tag in check.matched:
            row.back_at = now
            row.condition_back, row.notes_back = entry.condition, entry.notes
            row.kit_back = list(row.kit) if entry.kit is None else entry.kit
        session.add(row)
    loan.status, loan.returned_at = LoanStatus.returned, now
    result = _record(session, staff, loan, HandoverStep.back, data, check, now)
    result.waitlisted, result.freed = take_from_borrower(
        session, loan, [h.id for _r, h in rows], now, confirmed=data.confirm)
    give_back_to_lender(session, loan, now)
    return result


def _require_status(loan: Loan, allowed: tuple[str, ...], message: str) -> None:
    if loan.status not in allowed:
        raise Conflict("wrong_status", message)


def _checked_scan(rows: list[tuple[LoanHeadset, Headset]], data: Handover) -> ScanCheck:
    """Compare the scans with the loan; refuse nothing scanned, bad checks, or unaccepted
    mismatches."""
    check = ScanCheck([h.asset_tag for _r, h in rows], data.scanned)
    if not check.matched:
        message = _("Scan at least one headset of this loan.")
        raise InvalidInput("nothing_scanned", message, {"scanned": message})
    _check_entries(data)
    if not check.is_complete and not data.accept_mismatch:
        raise ScanMismatch(check)
    return check


def _check_entries(data: Handover) -> None:
    fields = {}
    for tag, entry in data.headsets.items():
        if entry.condition not in set(Condition):
            fields[f"condition_{tag}"] = _("Choose a condition from the list.")
        if len(entry.notes) > MAX_NOTES:
            fields[f"notes_{tag}"] = _("Notes are limited to {count} characters.").format(
                count=MAX_NOTES)
    if len(data.counterpart) > 200:
        fields["counterpart"] = _("A name is limited to 200 characters.")
    if len(data.notes) > 2000:
        fields["notes"] = _("Notes are limited to {count} characters.").format(count=2000)
    if fields:
        raise InvalidInput("invalid_handover", _("Please correct the marked fields."), fields)


def _record(session: Session, staff: StaffUser, loan: Loan, step: HandoverStep,
            data: Handover, check: ScanCheck, now: datetime) -> HandoverResult:
    """Write the hand-over row and the audit row, and flush the loan's new state."""
    session.add(loan)
    session.add(LoanHandover(loan_id=loan.id, step=step, at=now, staff_id=staff.id,
                             counterpart=data.counterpart.strip(), notes=data.notes.strip(),
                             missing=check.missing, extra=check.extra))
    session.flush()
    action = {HandoverStep.dispatch: "loan.dispatched", HandoverStep.receipt: "loan.received",
              HandoverStep.back: "loan.returned"}[step]
    flags = "; ".join(part for part in (
        f"missing {', '.join(check.missing)}" if check.missing else "",
        f"extra {', '.join(check.extra)}" if check.extra else "") if part)
    where = loan.to_centre_id if step == HandoverStep.receipt else loan.from_centre_id
    record(session, staff, action, centre_id=where, subject_type="loan",
           subject_id=loan.id, summary=f"{len(check.matched)} headsets scanned"
           + (f" ({flags})" if flags else ""))
    return HandoverResult(loan, check)
