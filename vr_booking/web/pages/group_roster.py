"""A group's roster pages: add or remove one participant, import a CSV file (checked first
and shown, written only when confirmed)."""

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.groups.queries import require_group
from vr_booking.services.groups.roster import (
    MAX_FILE_BYTES,
    ROSTER_BANDS,
    add_participants,
    read_roster_csv,
    remove_participant,
)
from vr_booking.web.deps import CurrentStaff, SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.pages.groups import group_page
from vr_booking.web.params import FormText, PathId
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
# The checked file, carried back by the preview page in a hidden field.
CarriedFile = Annotated[str, Form(max_length=2 * MAX_FILE_BYTES)]


def _roster_saved(group_id: int, what: str) -> RedirectResponse:
    return RedirectResponse(f"/staff/groups/{group_id}?saved={what}#roster", status_code=303)


@router.post("/staff/groups/{group_id}/participants", name="group_add_participant")
def add_participant(request: Request, group_id: PathId, session: SessionDep,
                    staff: CurrentStaff, name: FormText = "", code: FormText = "",
                    age_band: FormText = ""):
    group = require_group(session, staff, group_id)
    values = {"name": name, "code": code, "age_band": age_band}
    try:
        add_participants(session, staff, group, [values])
    except (InvalidInput, Conflict) as error:
        discard(session)
        group = require_group(session, staff, group_id)
        return group_page(request, session, staff, group, status_code=status_of(error),
                          roster_values=values, roster_errors={"participant": error.message})
    return _roster_saved(group_id, "participant")


@router.post("/staff/groups/{group_id}/participants/{participant_id}/remove",
             name="group_remove_participant")
def remove(request: Request, group_id: PathId, participant_id: PathId, session: SessionDep,
           staff: CurrentStaff):
    group = require_group(session, staff, group_id)
    try:
        remove_participant(session, staff, group, participant_id)
    except Conflict as error:
        discard(session)
        group = require_group(session, staff, group_id)
        return group_page(request, session, staff, group, status_code=status_of(error),
                          roster_errors={"participant": error.message})
    return _roster_saved(group_id, "removed")


def _import_page(request, session, staff, group, status_code: int = 200, **extra):
    return render(request, "pages/group_roster_import.html", {
        "staff": staff, "group": group, "bands": ROSTER_BANDS,
        "max_kb": MAX_FILE_BYTES // 1024, **extra}, status_code=status_code)


@router.get("/staff/groups/{group_id}/roster/import", name="group_roster_import")
def import_form(request: Request, group_id: PathId, session: SessionDep, staff: CurrentStaff):
    return _import_page(request, session, staff, require_group(session, staff, group_id))


@router.post("/staff/groups/{group_id}/roster/import")
def preview_import(request: Request, group_id: PathId, session: SessionDep,
                   staff: CurrentStaff, file: Annotated[UploadFile | None, File()] = None):
    """The dry run: every problem, or who would be added; nothing is written."""
    group = require_group(session, staff, group_id)
    data = file.file.read(MAX_FILE_BYTES + 1) if file else b""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # a spreadsheet's "CSV (Windows)"
    report, _rows, _lines = read_roster_csv(session, group, text)
    return _import_page(request, session, staff, group, report=report, text=text,
                        filename=((file.filename if file else "") or "")[:120],
                        status_code=200 if report.ok else 422)


@router.post("/staff/groups/{group_id}/roster/import/confirm",
             name="group_roster_import_confirm")
def confirm_import(request: Request, group_id: PathId, session: SessionDep,
                   staff: CurrentStaff, csv_text: CarriedFile = "", filename: FormText = ""):
    group = require_group(session, staff, group_id)
    report, rows, lines = read_roster_csv(session, group, csv_text)
    try:
        add_participants(session, staff, group, rows, lines)
    except (InvalidInput, Conflict) as error:
        discard(session)
        group = require_group(session, staff, group_id)
        return _import_page(request, session, staff, group, report=report, text=csv_text,
                            filename=filename, error=error.message,
                            status_code=status_of(error))
    return _roster_saved(group_id, "imported")
