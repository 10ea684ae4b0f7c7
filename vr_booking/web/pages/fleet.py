"""Headset fleet pages: inventory, a headset's page and forms, QR labels, installed content."""

from datetime import datetime
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from vr_booking.i18n import _
from vr_booking.models import CleaningMethod, FaceCover, Headset, ServiceState, StaffUser, utcnow
from vr_booking.services.access import (
    can_manage,
    is_manager,
    require_centre,
    require_manager,
    sees_centre,
    visible_centres,
)
from vr_booking.services.errors import InvalidInput
from vr_booking.services.fleet import access, content, detail, edits, inventory, state
from vr_booking.services.fleet.charge import Battery, check_charge
from vr_booking.services.open_access.pool import StrandingConflict
from vr_booking.services.qr import qr_png, qr_svg
from vr_booking.web.deps import CurrentStaff, OptionalStaff, SessionDep, discard
from vr_booking.web.errors import status_of
from vr_booking.web.params import (
    FormIds,
    FormNote,
    FormText,
    QueryText,
    ids_from,
    parse_int,
    parse_local_datetime,
)
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
LABELS_PER_SHEET = 24  # 3 × 8 labels of 70 × 37 mm on A4
PAGE_SIZE = 50  # headsets a page of the inventory


def _battery(request: Request) -> Battery:
    return Battery.from_settings(request.app.state.settings)


def _saved(tag: str, what: str) -> RedirectResponse:
    return RedirectResponse(f"/staff/headsets/{tag}?saved={what}", status_code=303)


# --- inventory ------------------------------------------------------------------------------

@router.get("/staff/headsets", name="headsets")
def inventory_page(request: Request, session: SessionDep, staff: CurrentStaff,
                   centre: QueryText = "", model: QueryText = "", state: QueryText = "",
                   page: Annotated[int, Query(ge=1, le=10_000)] = 1):
    found = inventory.list_headsets(session, staff, utcnow(), _battery(request),
                                    centre_slug=centre or None, model=model or None,
                                    state=state or None, limit=PAGE_SIZE,
                                    offset=(page - 1) * PAGE_SIZE)
    return render(request, "pages/headsets.html", {
        "staff": staff, "rows": found.rows, "total": found.total, "page": page,
        "page_size": PAGE_SIZE, "centres": visible_centres(session, staff),
        "models": inventory.headset_models(session, staff), "states": list(ServiceState),
        "chosen": {"centre": centre, "model": model, "state": state},
        "can_add": is_manager(staff),
    }, block_name="inventory")


@router.get("/staff/headsets/new", name="headset_new")
def new_headset_form(request: Request, session: SessionDep, staff: CurrentStaff):
    return _new_page(request, session, staff, {"face_cover": FaceCover.silicone})


@router.post("/staff/headsets/new")
def create_headset(request: Request, session: SessionDep, staff: CurrentStaff,
                   home_centre: FormText = "", asset_tag: FormText = "", serial: FormText = "",
                   model: FormText = "", face_cover: FormText = "", notes: FormNote = ""):
    values = {"asset_tag": asset_tag, "serial": serial, "model": model,
              "face_cover": face_cover, "notes": notes}
    centre = require_centre(session, staff, home_centre)
    require_manager(session, staff, centre.id)
    try:
        headset = edits.create_headset(session, centre, edits.parse_headset_form(values))
    except InvalidInput as error:
        discard(session)
        return _new_page(request, session, staff, {**values, "home_centre": home_centre},
                         error.fields, status_code=422)
    return _saved(headset.asset_tag, "created")


def _new_page(request: Request, session: Session, staff: StaffUser, values: dict,
              errors: dict | None = None, status_code: int = 200):
    return render(request, "pages/headset_new.html", {
        "staff": staff, "centres": access.managed_centres(session, staff), "form": values,
        "errors": errors or {},
        "face_covers": list(FaceCover)}, status_code=status_code)


# --- one headset ----------------------------------------------------------------------------

@router.get("/staff/headsets/{tag}", name="headset")
def headset_page(request: Request, tag: str, session: SessionDep, staff: CurrentStaff,
                 saved: str = ""):
    headset = access.require_headset(session, staff, tag, utcnow())
    return _headset_page(request, session, staff, headset, saved=saved)


def _headset_page(request: Request, session: Session, staff: StaffUser, headset: Headset,
                  status_code: int = 200, **extra: object):
    """The headset page; ``extra`` carries form values and errors, or a change's result."""
    now = utcnow()
    found = detail.headset_detail(session, headset, now, _battery(request))
    manages = can_manage(session, staff, headset.home_centre_id)
    installed = {v.id for v in found.installed_videos}
    here = found.summary.current_centre
    desk_centre = here if sees_centre(session, staff, here.id) else None
    context = {
        "staff": staff, "headset": headset, "detail": found, "row": found.summary,
        "zone": found.summary.current_centre.timezone, "can_manage": manages,
        "videos": content.active_videos(session) if manages else [],
        "installed_ids": installed, "states": list(ServiceState),
        "face_covers": list(FaceCover), "methods": list(CleaningMethod),
        "battery": _battery(request), "now": now, "desk_centre": desk_centre,
        "form": {"asset_tag": headset.asset_tag, "serial": headset.serial or "",
                 "model": headset.model, "face_cover": headset.face_cover,
                 "notes": headset.notes},
        "errors": {}, "state_form": {}, "state_errors": {}, "charge_form": {},
        "charge_errors": {},
        **extra,
    }
    return render(request, "pages/headset.html", context, status_code=status_code)


@router.post("/staff/headsets/{tag}")
def edit_headset(request: Request, tag: str, session: SessionDep, staff: CurrentStaff,
                 asset_tag: FormText = "", serial: FormText = "", model: FormText = "",
                 face_cover: FormText = "", notes: FormNote = ""):
    headset = access.require_headset(session, staff, tag, utcnow())
    require_manager(session, staff, headset.home_centre_id)
    values = {"asset_tag": asset_tag, "serial": serial, "model": model,
              "face_cover": face_cover, "notes": notes}
    try:
        edits.update_headset(session, headset, edits.parse_headset_form(values), utcnow())
    except (InvalidInput, StrandingConflict) as error:
        discard(session)
        stranding = error if isinstance(error, StrandingConflict) else None
        return _headset_page(request, session, staff, access.find_headset(session, tag),
                             status_code=status_of(error), form=values, errors=error.fields,
                             stranding=stranding, stranding_by_edit=stranding is not None)
    return _saved(headset.asset_tag, "details")


@router.post("/staff/headsets/{tag}/state")
def change_state(request: Request, tag: str, session: SessionDep, staff: CurrentStaff,
                 to_state: FormText = "", reason: FormNote = "", confirm: FormText = ""):
    now = utcnow()
    headset = access.require_headset(session, staff, tag, now)
    require_manager(session, staff, headset.home_centre_id)
    state_form = {"to_state": to_state, "reason": reason}
    try:
        result = state.change_state(session, headset, to_state, reason, staff, now,
                                    confirmed=confirm == "yes")
    except (InvalidInput, StrandingConflict) as error:
        discard(session)
        stranding = error if isinstance(error, StrandingConflict) else None
        return _headset_page(request, session, staff, access.find_headset(session, tag),
                             status_code=status_of(error), state_form=state_form,
                             state_errors=error.fields, stranding=stranding)
    if not (result.waitlisted or result.freed):
        return _saved(tag, "state")
    return _headset_page(request, session, staff, headset, state_result=result)


@router.post("/staff/headsets/{tag}/cleanings")
def log_cleaning(tag: str, session: SessionDep, staff: CurrentStaff, method: FormText = ""):
    headset = access.require_headset(session, staff, tag, utcnow())
    edits.log_cleaning(session, headset, method, staff, utcnow())
    return _saved(headset.asset_tag, "cleaning")


@router.post("/staff/headsets/{tag}/charge")
def record_charge(request: Request, tag: str, session: SessionDep, staff: CurrentStaff,
                  percent: FormText = "", charged_at: FormText = ""):
    now = utcnow()
    headset = access.require_headset(session, staff, tag, now)
    zone = access.current_centre(session, headset, now).timezone
    try:
        level, at = check_charge(*_charge_form(percent, charged_at), zone, now)
    except InvalidInput as error:
        return _headset_page(request, session, staff, headset, status_code=422,
                             charge_errors=error.fields,
                             charge_form={"percent": percent, "charged_at": charged_at})
    edits.record_charge(session, headset, level, at)
    return _saved(headset.asset_tag, "charge")


def _charge_form(percent: str, charged_at: str) -> tuple[int | None, datetime | None]:
    """The typed level and local time (blank: None); a field error when one is unreadable."""
    level = local_at = None
    errors = {}
    if percent.strip():
        try:
            level = parse_int(percent, 0, 100)
        except ValueError:
            errors["percent"] = _("A level is a whole number from 0 to 100.")
    if charged_at.strip():
        try:
            local_at = parse_local_datetime(charged_at)
        except ValueError:
            errors["charged_at"] = _("Give a date and time.")
    if errors:
        raise InvalidInput("bad_charge", _("Please correct the marked fields."), errors)
    return level, local_at


@router.post("/staff/headsets/{tag}/videos")
def set_videos(tag: str, session: SessionDep, staff: CurrentStaff, video: FormIds = None):
    headset = access.require_headset(session, staff, tag, utcnow())
    require_manager(session, staff, headset.home_centre_id)
    content.set_installed_videos(session, [headset.id], set(ids_from(video)), utcnow())
    return _saved(headset.asset_tag, "videos")


# --- QR codes and labels --------------------------------------------------------------------

@router.get("/staff/headsets/{tag}/qr.png", name="headset_qr_png")
def headset_qr_png(request: Request, tag: str, session: SessionDep, staff: CurrentStaff):
    headset = access.require_headset(session, staff, tag, utcnow())
    return Response(qr_png(access.headset_url(session, headset)), media_type="image/png")


@router.get("/staff/headsets/{tag}/qr.svg", name="headset_qr_svg")
def headset_qr_svg(request: Request, tag: str, session: SessionDep, staff: CurrentStaff):
    headset = access.require_headset(session, staff, tag, utcnow())
    return Response(qr_svg(access.headset_url(session, headset)), media_type="image/svg+xml")


@router.get("/staff/centres/{slug}/labels", name="headset_labels")
def labels(request: Request, slug: str, session: SessionDep, staff: CurrentStaff):
    """A printable A4 sheet of QR labels for the headsets based at a centre (not retired)."""
    centre = require_centre(session, staff, slug)
    headsets = inventory.labelled_headsets(session, centre)
    sheets = [headsets[i:i + LABELS_PER_SHEET] for i in range(0, len(headsets),
                                                              LABELS_PER_SHEET)]
    return render(request, "pages/labels.html",
                  {"staff": staff, "centre": centre, "sheets": sheets})


@router.get(access.HEADSET_PATH.replace("{asset_tag}", "{tag}"), name="headset_public")
def public_headset(request: Request, tag: str, session: SessionDep, staff: OptionalStaff):
    """Where a label's QR code leads: staff who may see it go to its page; others learn
    only whose it is and how to reach them."""
    headset = access.find_headset(session, tag)
    if staff is not None and access.can_see(session, staff, headset, utcnow()):
        return RedirectResponse(f"/staff/headsets/{headset.asset_tag}", status_code=303)
    owner = access.home_centre(session, headset)
    return render(request, "pages/headset_public.html",
                  {"staff": staff, "asset_tag": headset.asset_tag, "centre": owner})


# --- installed content for a whole centre ---------------------------------------------------

@router.get("/staff/centres/{slug}/videos", name="centre_videos")
def centre_videos(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                  saved: str = ""):
    centre = require_centre(session, staff, slug)
    headset_ids = content.based_headset_ids(session, centre)
    return render(request, "pages/headset_centre_videos.html", {
        "staff": staff, "centre": centre, "headset_count": len(headset_ids),
        "videos": content.active_videos(session),
        "installed": content.installed_video_ids(session, headset_ids),
        "flagged": content.booked_jobs_missing_videos(session, centre, utcnow()),
        "can_manage": can_manage(session, staff, centre.id), "saved": saved,
    })


@router.post("/staff/centres/{slug}/videos")
def set_centre_videos(slug: str, session: SessionDep, staff: CurrentStaff,
                      video: FormIds = None):
    centre = require_centre(session, staff, slug)
    require_manager(session, staff, centre.id)
    content.set_installed_videos(session, content.based_headset_ids(session, centre),
                                 set(ids_from(video)), utcnow())
    return RedirectResponse(f"/staff/centres/{centre.slug}/videos?saved=1", status_code=303)


@router.get("/staff/centres/{slug}/missing-videos", name="centre_missing_videos")
def centre_missing_videos(request: Request, slug: str, session: SessionDep,
                          staff: CurrentStaff):
    """The booked jobs no headset at the centre can show (a fragment for the centre page)."""
    centre = require_centre(session, staff, slug)
    flagged = content.booked_jobs_missing_videos(session, centre, utcnow())
    return render(request, "partials/_headset_missing_videos.html",
                  {"centre": centre, "flagged": flagged})

