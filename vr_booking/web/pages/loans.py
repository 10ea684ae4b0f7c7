"""Loan pages: the list, one loan (extend, cancel) and its printable transfer slip.

The board that creates loans is in ``loans_board.py``; the hand-overs in
``loans_handovers.py``.
"""

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from vr_booking.models import CentreKind, Loan, LoanStatus, StaffUser, utcnow
from vr_booking.services.access import can_manage, visible_centre_ids, visible_centres
from vr_booking.services.errors import InvalidInput
from vr_booking.services.loans.access import require_loan
from vr_booking.services.loans.clashes import HeadsetsBusy
from vr_booking.services.loans.inputs import parse_day
from vr_booking.services.loans.kits import KIT_ITEMS
from vr_booking.services.loans.lifecycle import cancel_loan, extend_loan
from vr_booking.services.loans.queries import list_loans, loan_view, next_step
from vr_booking.services.open_access.pool import StrandingConflict
from vr_booking.web.deps import CurrentStaff, SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.params import FormText, PathId
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
Choice = Annotated[str, Query(max_length=40)]


@router.get("/staff/loans", name="loans")
def loans_page(request: Request, session: SessionDep, staff: CurrentStaff, centre: Choice = "",
               status: Choice = ""):
    found = list_loans(session, staff, utcnow(), centre_slug=centre or None,
                       status=status or None)
    centres = visible_centres(session, staff)
    return render(request, "pages/loans.html", {
        "staff": staff, "views": found, "centres": centres, "statuses": list(LoanStatus),
        "hubs": [c for c in centres if c.kind == CentreKind.hub],
        "chosen": {"centre": centre, "status": status}}, block_name="loans")


@router.get("/staff/loans/{loan_id}", name="loan")
def loan_page(request: Request, loan_id: PathId, session: SessionDep, staff: CurrentStaff,
              saved: Choice = ""):
    loan = require_loan(session, staff, loan_id)
    return _loan_page(request, session, staff, loan, saved=saved)


def _loan_page(request: Request, session: Session, staff: StaffUser, loan: Loan,
               status_code: int = 200, **extra: object):
    """One loan; ``extra`` carries a form's values and errors, or a refusal to show."""
    ids = visible_centre_ids(session, staff)
    return render(request, "pages/loan.html", {
        "staff": staff, "view": loan_view(session, loan, utcnow()), "loan": loan,
        "can_manage": can_manage(session, staff, loan.from_centre_id),
        "at_lender": loan.from_centre_id in ids, "at_borrower": loan.to_centre_id in ids,
        "next_step": next_step(loan), "saved": "", "extend_form": {}, "extend_errors": {},
        "busy": None, "stranding": None, **extra}, status_code=status_code)


@router.post("/staff/loans/{loan_id}/extend", name="loan_extend")
def extend(request: Request, loan_id: PathId, session: SessionDep, staff: CurrentStaff,
           end_date: FormText = ""):
    loan = require_loan(session, staff, loan_id)
    try:
        extend_loan(session, staff, loan, parse_day(end_date, "end_date"), utcnow())
    except (InvalidInput, HeadsetsBusy) as error:
        discard(session)
        return _loan_page(request, session, staff, require_loan(session, staff, loan_id),
                          status_of(error), extend_form={"end_date": end_date},
                          extend_errors=error.fields,
                          busy=error if isinstance(error, HeadsetsBusy) else None)
    return _saved(request, loan, "extended")


@router.post("/staff/loans/{loan_id}/cancel", name="loan_cancel")
def cancel(request: Request, loan_id: PathId, session: SessionDep, staff: CurrentStaff,
           confirm: FormText = ""):
    loan = require_loan(session, staff, loan_id)
    try:
        cancel_loan(session, staff, loan, utcnow(), confirmed=confirm == "yes")
    except StrandingConflict as error:
        discard(session)
        return _loan_page(request, session, staff, require_loan(session, staff, loan_id),
                          status_of(error), stranding=error)
    return _saved(request, loan, "cancelled")


def _saved(request: Request, loan: Loan, what: str) -> RedirectResponse:
    return RedirectResponse(request.url_for("loan", loan_id=loan.id).include_query_params(
        saved=what), status_code=303)


@router.get("/staff/loans/{loan_id}/slip", name="loan_slip")
def slip(request: Request, loan_id: PathId, session: SessionDep, staff: CurrentStaff):
    """The A4 transfer slip: each headset with its QR code and kit, two signature boxes."""
    loan = require_loan(session, staff, loan_id)
    return render(request, "pages/loan_slip.html", {
        "staff": staff, "view": loan_view(session, loan, utcnow()), "kit_items": KIT_ITEMS})
