"""A hub's allocation board (pick headsets and days, lend them) and its network view."""

from datetime import timedelta
from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from vr_booking.models import StaffUser, utcnow
from vr_booking.services.access import can_manage
from vr_booking.services.errors import InvalidInput
from vr_booking.services.loans.board import VIEWS, Board, build_board
from vr_booking.services.loans.clashes import HeadsetsBusy
from vr_booking.services.loans.inputs import parse_day, request_from_form
from vr_booking.services.loans.kits import KIT_ITEMS, kit_from_values
from vr_booking.services.loans.lifecycle import create_loan
from vr_booking.services.loans.network import network_view, require_hub
from vr_booking.web.deps import CurrentStaff, SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.params import FormNote, FormText
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
Tags = Annotated[list[str], Query(max_length=200)]
FormTags = Annotated[list[str] | None, Form(max_length=200)]


def _board(session: Session, slug: str, staff: StaffUser, start: str, view: str) -> Board:
    hub = require_hub(session, staff, slug)
    first = parse_day(start, "start") if start else None
    return build_board(session, hub, view if view in VIEWS else "days", first, utcnow())


def _page(request: Request, session: Session, staff: StaffUser, board: Board,
          chosen: list[str], form: dict | None = None, status_code: int = 200, **extra):
    """The board page, or its board block for htmx (moving through the weeks)."""
    first = max(board.start, board.today)
    defaults = {"start_date": first.isoformat(),  # a week from the first day shown
                "end_date": (first + timedelta(days=6)).isoformat(),
                "to_centre": "", "notes": ""}
    return render(request, "pages/loan_board.html", {
        "staff": staff, "board": board, "hub": board.hub, "chosen": set(chosen),
        "can_lend": can_manage(session, staff, board.hub.id), "kit_items": KIT_ITEMS,
        "form": form or defaults, "kit": extra.pop("kit", list(KIT_ITEMS)), "errors": {},
        **extra}, status_code=status_code, block_name="board")


@router.get("/staff/centres/{slug}/board", name="loan_board")
def board_page(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
               start: Annotated[str, Query(max_length=10)] = "",
               view: Annotated[str, Query(max_length=10)] = "days", headset: Tags = ()):
    board = _board(session, slug, staff, start, view)
    return _page(request, session, staff, board, list(headset))


@router.post("/staff/centres/{slug}/board")
def lend(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
         headset: FormTags = None, kit: FormTags = None, to_centre: FormText = "",
         start_date: FormText = "", end_date: FormText = "", notes: FormNote = "",
         start: FormText = "", view: FormText = "days"):
    """Lend the ticked headsets; a refusal shows the board again with the clashes."""
    values = {"to_centre": to_centre, "start_date": start_date, "end_date": end_date,
              "notes": notes}
    hub = require_hub(session, staff, slug)
    tags, items = headset or [], kit_from_values(kit or [])
    try:
        loan = create_loan(session, staff, request_from_form(hub.slug, values, tags, items),
                           utcnow())
    except (InvalidInput, HeadsetsBusy) as error:
        discard(session)
        board = _board(session, slug, staff, start, view)
        busy = error if isinstance(error, HeadsetsBusy) else None
        return _page(request, session, staff, board, tags, values, status_of(error),
                     kit=items, errors=error.fields, busy=busy)
    return RedirectResponse(request.url_for("loan", loan_id=loan.id).include_query_params(
        saved="created"), status_code=303)


@router.get("/staff/centres/{slug}/network", name="loan_network")
def network_page(request: Request, slug: str, session: SessionDep, staff: CurrentStaff):
    hub = require_hub(session, staff, slug)
    return render(request, "pages/loan_network.html", {
        "staff": staff, "hub": hub, "network": network_view(session, hub, utcnow())})
