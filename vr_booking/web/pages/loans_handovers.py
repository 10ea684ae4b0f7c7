"""The hand-over pages of a loan: dispatch, receipt and return, by scanning QR labels.

Scans arrive in one text field (a USB scanner types each label's address and Enter; the
camera script appends what it reads; people may type asset tags). With htmx the list of
scanned, missing and extra headsets follows as they scan; without JavaScript a "check"
button posts the form and gets the page back with that list, nothing recorded.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.datastructures import FormData

from vr_booking.models import Loan, LoanStatus, StaffUser, utcnow
from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.loans import handovers
from vr_booking.services.loans.access import require_loan, require_staff_at
from vr_booking.services.loans.clashes import OUT_STATES
from vr_booking.services.loans.handovers import Handover, HeadsetCheck, check_scans
from vr_booking.services.loans.kits import KIT_ITEMS, kit_from_values
from vr_booking.services.loans.queries import loan_view
from vr_booking.services.loans.scanning import ScanMismatch, parse_scans
from vr_booking.services.open_access.pool import StrandingConflict
from vr_booking.web.deps import CurrentStaff, SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.params import PathId
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_TEXT = 20_000  # a long scan list, far below the form parser's own limit


@dataclass(frozen=True)
class Step:
    """One hand-over: its command, where it happens, what the page records."""

    name: str  # dispatch, receive, return (the address)
    command: Any
    at_lender: bool
    records_condition: bool
    saved: str
    statuses: tuple[str, ...]  # the loan statuses it moves on


STEPS = {s.name: s for s in (
    Step("dispatch", handovers.dispatch_loan, True, True, "dispatched", (LoanStatus.planned,)),
    Step("receive", handovers.receive_loan, False, False, "received", (LoanStatus.in_transit,)),
    Step("return", handovers.return_loan, True, True, "returned", OUT_STATES),
)}


async def handover_form(request: Request) -> FormData:
    """The posted form as it is: its per-headset fields are named after the asset tags."""
    return await request.form()


HandoverForm = Annotated[FormData, Depends(handover_form)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def _handover(form: FormData, tags: list[str], step: Step) -> Handover:
    checks = {}
    if step.records_condition:
        checks = {tag: HeadsetCheck(_text(form, f"condition_{tag}") or "good",
                                    _text(form, f"notes_{tag}"),
                                    kit_from_values(form.getlist(f"kit_{tag}")))
                  for tag in tags}
    return Handover(parse_scans(_text(form, "scanned")), checks, _text(form, "counterpart"),
                    _text(form, "notes"), _text(form, "accept_mismatch") == "yes",
                    _text(form, "confirm") == "yes")


def _allowed(session: Session, staff: StaffUser, loan_id: int, step: Step) -> Loan:
    loan = require_loan(session, staff, loan_id)
    require_staff_at(session, staff, loan.from_centre_id if step.at_lender
                     else loan.to_centre_id)
    return loan


def _page(request: Request, session: Session, staff: StaffUser, loan: Loan, step: Step,
          form: FormData | None = None, status_code: int = 200, **extra: object):
    view = loan_view(session, loan, utcnow())
    scanned = parse_scans(_text(form, "scanned")) if form else []
    return render(request, "pages/loan_handover.html", {
        "staff": staff, "view": view, "loan": loan, "step": step, "form": form or {},
        "check": check_scans(session, loan, scanned), "kit_items": KIT_ITEMS, "errors": {},
        "mismatch": None, "stranding": None, "refusal": None, **extra},
        status_code=status_code)


def _get(step: Step):
    def show(request: Request, loan_id: PathId, session: SessionDep, staff: CurrentStaff):
        loan = _allowed(session, staff, loan_id, step)
        return _page(request, session, staff, loan, step)

    return show


def _post(step: Step):
    def record(request: Request, loan_id: PathId, session: SessionDep, staff: CurrentStaff,
               form: HandoverForm):
        loan = _allowed(session, staff, loan_id, step)
        if _text(form, "action") == "check":  # without JavaScript: show the list, record nothing
            return _page(request, session, staff, loan, step, form)
        data = _handover(form, loan_view(session, loan, utcnow()).tags, step)
        try:
            step.command(session, staff, loan, data, utcnow())
        except (InvalidInput, Conflict) as error:  # shown on the page, beside the scans
            discard(session)
            return _page(request, session, staff, require_loan(session, staff, loan_id), step,
                         form, status_of(error), errors=error.fields, refusal=error,
                         mismatch=error if isinstance(error, ScanMismatch) else None,
                         stranding=error if isinstance(error, StrandingConflict) else None)
        return RedirectResponse(request.url_for("loan", loan_id=loan.id).include_query_params(
            saved=step.saved), status_code=303)

    return record


for _step in STEPS.values():
    router.add_api_route(f"/staff/loans/{{loan_id}}/{_step.name}", _get(_step), methods=["GET"],
                         name=f"loan_{_step.name}")
    router.add_api_route(f"/staff/loans/{{loan_id}}/{_step.name}", _post(_step),
                         methods=["POST"])


@router.get("/staff/loans/{loan_id}/scans", name="loan_scans")
def scans(request: Request, loan_id: PathId, session: SessionDep, staff: CurrentStaff,
          step: Annotated[str, Query(max_length=10)] = "dispatch",
          scanned: Annotated[str, Query(max_length=MAX_TEXT)] = ""):
    """The scanned, missing and extra headsets so far (the live list while scanning)."""
    loan = _allowed(session, staff, loan_id, STEPS.get(step, STEPS["dispatch"]))
    return render(request, "partials/_loan_scan_check.html",
                  {"check": check_scans(session, loan, parse_scans(scanned))})
