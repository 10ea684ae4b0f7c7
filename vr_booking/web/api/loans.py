"""JSON API for loans between centres (staff bearer token); the same services as the pages.

Refusals with more to say than ``detail`` and ``code`` carry it: ``headsets_busy`` lists the
``clashes`` and free ``alternatives``; ``scan_mismatch`` lists the ``missing`` and ``extra``
asset tags.
"""

from datetime import date, datetime
from typing import Annotated

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, create_model
from sqlmodel import Session

from vr_booking.models import Condition, HandoverStep, LoanStatus, utcnow
from vr_booking.services.loans import handovers, lifecycle, queries
from vr_booking.services.loans.access import require_loan
from vr_booking.services.loans.clashes import HeadsetsBusy
from vr_booking.services.loans.handovers import Handover, HeadsetCheck
from vr_booking.services.loans.inputs import LoanRequest
from vr_booking.services.loans.kits import KIT_ITEMS, kit_flags, kit_from_flags
from vr_booking.services.loans.scanning import ScanMismatch, parse_scans
from vr_booking.web.deps import ApiStaff, SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.params import Limit, Offset, PathId
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1", tags=["loans"])

Kit = create_model(  # one boolean an item of services/loans/kits.py, all sent by default
    "Kit", __config__=ConfigDict(extra="forbid"),
    **{item: (bool, Field(default=True)) for item in KIT_ITEMS})
Tag = Annotated[str, Field(max_length=200, description="an asset tag or a label's address")]


class LoanCreate(BaseModel):
    from_centre: str = Field(max_length=40, description="slug of the lending hub")
    to_centre: str = Field(max_length=40, description="slug of an associated centre it leads")
    start_date: date = Field(description="first day (the lender's local date)")
    end_date: date = Field(description="last day, inclusive")
    headset_tags: list[Annotated[str, Field(max_length=32)]] = Field(max_length=200)
    kit: Kit = Field(default_factory=Kit, description="what travels with each headset")
    notes: str = Field(default="", max_length=2000)


class HeadsetCheckBody(BaseModel):
    condition: Condition = Condition.good
    notes: str = Field(default="", max_length=500)
    kit: Kit | None = Field(default=None, description="dispatch: what is packed (default: "
                            "as planned); return: what came back (default: all sent)")


class HandoverBody(BaseModel):
    scanned_tags: list[Tag] = Field(max_length=500, description="what was scanned")
    headsets: dict[str, HeadsetCheckBody] = Field(
        default_factory=dict, max_length=200,
        description="by asset tag: condition and notes (dispatch and return), kit")
    counterpart: str = Field(default="", max_length=200,
                             description="who took the headsets, delivered or brought them")
    notes: str = Field(default="", max_length=2000)
    accept_mismatch: bool = Field(default=False, description="go ahead although headsets "
                                  "are missing or extra (they are flagged)")
    confirm: bool = Field(default=False, description="go ahead although the borrower's "
                          "bookings no longer fit (the newest go to the waiting list)")


class ExtendBody(BaseModel):
    end_date: date


class CancelBody(BaseModel):
    confirm: bool = Field(default=False, description="go ahead although the borrower's "
                          "bookings no longer fit")


class LentHeadsetPublic(BaseModel):
    asset_tag: str
    kit: Kit
    condition_out: Condition | None
    notes_out: str
    received_at: datetime | None
    condition_back: Condition | None
    notes_back: str
    kit_back: Kit | None
    back_at: datetime | None


class HandoverPublic(BaseModel):
    step: HandoverStep
    at: datetime
    recorded_by: str
    counterpart: str
    notes: str
    missing: list[str]
    extra: list[str]


class LoanPublic(BaseModel):
    id: int
    status: LoanStatus
    from_centre: str
    to_centre: str
    start_date: date
    end_date: date
    notes: str
    headset_tags: list[str]
    headsets: list[LentHeadsetPublic]
    is_late: bool = Field(description="out after its end date (also before the overdue "
                          "sweep has set the status)")
    created_at: datetime
    returned_at: datetime | None
    cancelled_at: datetime | None
    handovers: list[HandoverPublic]


class LoanList(BaseModel):
    items: list[LoanPublic]
    total: int


class ClashPublic(BaseModel):
    kind: str = Field(description="out_of_service, loan, group_session or open_access")
    detail: str
    asset_tag: str | None
    loan_id: int | None
    session_id: int | None
    starts_at: datetime | None
    ends_at: datetime | None


class BusyAnswer(BaseModel):
    detail: str
    code: str = Field(description="headsets_busy")
    clashes: list[ClashPublic]
    alternatives: list[str] = Field(description="the lender's headsets free for these days")


class MismatchAnswer(BaseModel):
    detail: str
    code: str = Field(description="scan_mismatch")
    missing: list[str]
    extra: list[str]


class ErrorAnswer(BaseModel):
    detail: str
    code: str


BUSY = {409: {"model": BusyAnswer, "description": "headsets_busy: not free for these days"}}
HANDOVER_ERRORS = {
    403: {"model": ErrorAnswer, "description": "not_your_centre: recorded by the other centre"},
    404: {"model": ErrorAnswer, "description": "unknown_loan"},
    409: {"model": MismatchAnswer | ErrorAnswer,
          "description": "scan_mismatch (missing or extra headsets), wrong_status, too_early, "
                         "loan_dates_over, would_strand (the borrower's bookings)"},
    422: {"description": "field errors (nothing_scanned, invalid_handover)"},
}


def _public(view: queries.LoanView) -> LoanPublic:
    loan = view.loan
    return LoanPublic(
        id=loan.id, status=loan.status, from_centre=view.lender.slug,
        to_centre=view.borrower.slug, start_date=loan.start_date, end_date=loan.end_date,
        notes=loan.notes, headset_tags=view.tags, is_late=view.is_late,
        headsets=[LentHeadsetPublic(
            asset_tag=h.asset_tag, kit=kit_flags(r.kit), condition_out=r.condition_out,
            notes_out=r.notes_out, received_at=r.received_at, condition_back=r.condition_back,
            notes_back=r.notes_back, back_at=r.back_at,
            kit_back=None if r.kit_back is None else kit_flags(r.kit_back))
            for r, h in view.headsets],
        created_at=loan.created_at, returned_at=loan.returned_at,
        cancelled_at=loan.cancelled_at,
        handovers=[HandoverPublic(step=h.handover.step, at=h.handover.at,
                                  recorded_by=h.staff_name, counterpart=h.handover.counterpart,
                                  notes=h.handover.notes, missing=h.handover.missing,
                                  extra=h.handover.extra)
                   for h in sorted(view.handovers.values(), key=lambda v: v.handover.at)])


def _refusal(session: Session, error: HeadsetsBusy | ScanMismatch) -> JSONResponse:
    """A refusal with its lists; what the refused command flushed is forgotten first."""
    discard(session)
    body: dict = {"detail": error.message, "code": error.code}
    if isinstance(error, HeadsetsBusy):
        body["clashes"] = [ClashPublic(**vars(c)).model_dump(mode="json")
                           for c in error.clashes]
        body["alternatives"] = error.alternatives
    else:
        body.update(missing=error.missing, extra=error.extra)
    return JSONResponse(body, status_code=status_of(error))


@router.post("/loans", status_code=201, response_model=LoanPublic,
             summary="Lend headsets to an associated centre",
             responses={**BUSY, 403: {"model": ErrorAnswer, "description":
                                      "managers_only / not_your_centre"},
                        422: {"description": "field errors"}})
def create_loan(session: SessionDep, staff: ApiStaff, body: LoanCreate):
    now = utcnow()
    request = LoanRequest(**body.model_dump(exclude={"kit"}),
                          kit=kit_from_flags(body.kit.model_dump()))
    try:
        loan = lifecycle.create_loan(session, staff, request, now)
    except HeadsetsBusy as error:
        return _refusal(session, error)
    return _public(queries.loan_view(session, loan, now))


@router.get("/loans", response_model=LoanList, summary="Loans of your centres")
def list_loans(session: SessionDep, staff: ApiStaff, centre: str | None = None,
               status: LoanStatus | None = None, limit: Limit = 100,
               offset: Offset = 0) -> LoanList:
    """Loans from or to the centres you see; ``centre`` keeps those from or to it."""
    found = queries.list_loans(session, staff, utcnow(), centre_slug=centre, status=status)
    return LoanList(items=[_public(v) for v in found[offset:offset + limit]], total=len(found))


@router.get("/loans/{loan_id}", response_model=LoanPublic, summary="One loan",
            responses={403: {"model": ErrorAnswer}, 404: {"model": ErrorAnswer}})
def read_loan(session: SessionDep, staff: ApiStaff, loan_id: PathId) -> LoanPublic:
    now = utcnow()
    return _public(queries.loan_view(session, require_loan(session, staff, loan_id), now))


def _handover(body: HandoverBody) -> Handover:
    checks = {tag.strip().upper(): HeadsetCheck(
        check.condition, check.notes,
        None if check.kit is None else kit_from_flags(check.kit.model_dump()))
        for tag, check in body.headsets.items()}
    return Handover(parse_scans(body.scanned_tags), checks, body.counterpart, body.notes,
                    body.accept_mismatch, body.confirm)


def _step(session: Session, staff, loan_id: int, body: HandoverBody, command):
    now = utcnow()
    loan = require_loan(session, staff, loan_id)
    try:
        command(session, staff, loan, _handover(body), now)
    except ScanMismatch as error:
        return _refusal(session, error)
    return _public(queries.loan_view(session, loan, now))


@router.post("/loans/{loan_id}/dispatch", response_model=LoanPublic,
             summary="Hand the headsets over (scanned at the lender)", responses=HANDOVER_ERRORS)
def dispatch(session: SessionDep, staff: ApiStaff, loan_id: PathId, body: HandoverBody):
    return _step(session, staff, loan_id, body, handovers.dispatch_loan)


@router.post("/loans/{loan_id}/receive", response_model=LoanPublic,
             summary="Receive the headsets (scanned at the borrower)",
             responses=HANDOVER_ERRORS)
def receive(session: SessionDep, staff: ApiStaff, loan_id: PathId, body: HandoverBody):
    return _step(session, staff, loan_id, body, handovers.receive_loan)


@router.post("/loans/{loan_id}/return", response_model=LoanPublic,
             summary="Take the headsets back (scanned at the lender)", responses=HANDOVER_ERRORS)
def take_back(session: SessionDep, staff: ApiStaff, loan_id: PathId, body: HandoverBody):
    return _step(session, staff, loan_id, body, handovers.return_loan)


@router.post("/loans/{loan_id}/extend", response_model=LoanPublic,
             summary="Move the loan's end date later",
             responses={**BUSY, 403: {"model": ErrorAnswer}, 404: {"model": ErrorAnswer},
                        422: {"description": "invalid_extension"}})
def extend(session: SessionDep, staff: ApiStaff, loan_id: PathId, body: ExtendBody):
    now = utcnow()
    loan = require_loan(session, staff, loan_id)
    try:
        lifecycle.extend_loan(session, staff, loan, body.end_date, now)
    except HeadsetsBusy as error:
        return _refusal(session, error)
    return _public(queries.loan_view(session, loan, now))


@router.post("/loans/{loan_id}/cancel", response_model=LoanPublic,
             summary="Cancel a loan not handed over yet",
             responses={403: {"model": ErrorAnswer}, 404: {"model": ErrorAnswer},
                        409: {"model": ErrorAnswer,
                              "description": "wrong_status, would_strand"}})
def cancel(session: SessionDep, staff: ApiStaff, loan_id: PathId,
           body: CancelBody | None = None) -> LoanPublic:
    now = utcnow()
    loan = require_loan(session, staff, loan_id)
    lifecycle.cancel_loan(session, staff, loan, now, confirmed=bool(body and body.confirm))
    return _public(queries.loan_view(session, loan, now))
