"""Headset fleet pages: inventory, a headset's page and forms, QR labels, installed content."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from vr_booking.models import (
    Centre,
    CleaningMethod,
    FaceCover,
    Headset,
    ServiceState,
    StaffUser,
    utcnow,
)
from vr_booking.services import fleet, fleet_content, fleet_edit, fleet_history, fleet_state
from vr_booking.services.auth import can_manage, require_centre, visible_centre_ids
from vr_booking.services.charge import Battery, parse_charge
from vr_booking.services.errors import InvalidInput
from vr_booking.services.qr import qr_png, qr_svg
from vr_booking.web.deps import CurrentStaff, OptionalStaff, SessionDep
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
LABELS_PER_SHEET = 24  # 3 × 8 labels of 70 × 37 mm on A4
FormText = Annotated[str, Form(max_length=2000)]
VideoIds = Annotated[list[int] | None, Form(description="the ticked video checkboxes")]


def _battery(request: Request) -> Battery:
    return Battery.from_settings(request.app.state.settings)


def headset_url(request: Request, asset_tag: str) -> str:
    """What a headset's QR label encodes: its public address."""
    return f"{request.app.state.settings.base_url}/h/{asset_tag}"


def _saved(tag: str, what: str) -> RedirectResponse:
    return RedirectResponse(f"/staff/headsets/{tag}?saved={what}", status_code=303)


# --- inventory ------------------------------------------------------------------------------

@router.get("/staff/headsets", name="headsets")
def inventory(request: Request, session: SessionDep, staff: CurrentStaff, centre: str = "",
              model: str = "", state: str = ""):
    rows = fleet.list_headsets(session, staff, utcnow(), _battery(request),
                               centre_slug=centre or None, model=model or None,
                               state=state or None)
    ids = visible_centre_ids(session, staff)
    centres = session.exec(select(Centre).where(col(Centre.id).in_(ids)).order_by(Centre.name))
    return render(request, "pages/headsets.html", {
        "staff": staff, "rows": rows, "centres": list(centres),
        "models": fleet.headset_models(session, staff), "states": list(ServiceState),
        "chosen": {"centre": centre, "model": model, "state": state},
        "can_add": staff.role in fleet.MANAGING_ROLES,
    }, block_name="inventory")


@router.get("/staff/headsets/new", name="headset_new")
def new_headset_form(request: Request, session: SessionDep, staff: CurrentStaff):
    return _new_page(request, session, staff, {"face_cover": FaceCover.silicone})


@router.post("/staff/headsets/new")
def create_headset(request: Request, session: SessionDep, staff: CurrentStaff,
                   home_centre: FormText = "", asset_tag: FormText = "", serial: FormText = "",
                   model: FormText = "", face_cover: FormText = "", notes: FormText = ""):
    values = {"asset_tag": asset_tag, "serial": serial, "model": model,
              "face_cover": face_cover, "notes": notes}
    centre = require_centre(session, staff, home_centre)
    fleet.require_manager(session, staff, centre.id)
    try:
        headset = fleet_edit.create_headset(session, centre, fleet_edit.parse_headset_form(values))
    except InvalidInput as error:
        session.rollback()
        return _new_page(request, session, staff, {**values, "home_centre": home_centre},
                         error.fields, status_code=422)
    session.commit()
    return _saved(headset.asset_tag, "created")


def _new_page(request: Request, session: Session, staff: StaffUser, values: dict,
              errors: dict | None = None, status_code: int = 200):
    return render(request, "pages/headset_new.html", {
        "staff": staff, "centres": fleet.managed_centres(session, staff), "form": values,
        "errors": errors or {},
        "face_covers": list(FaceCover)}, status_code=status_code)


# --- one headset ----------------------------------------------------------------------------

@router.get("/staff/headsets/{tag}", name="headset")
def headset_page(request: Request, tag: str, session: SessionDep, staff: CurrentStaff,
                 saved: str = ""):
    headset = fleet.require_headset(session, staff, tag, utcnow())
    return _headset_page(request, session, staff, headset, saved=saved)


def _headset_page(request: Request, session: Session, staff: StaffUser, headset: Headset,
                  status_code: int = 200, **extra: object):
    """The headset page; ``extra`` carries form values and errors, or a change's result."""
    now = utcnow()
    detail = fleet_history.headset_detail(session, headset, now, _battery(request))
    manages = can_manage(session, staff, headset.home_centre_id)
    installed = {v.id for v in detail.installed_videos}
    context = {
        "staff": staff, "headset": headset, "detail": detail, "row": detail.summary,
        "zone": detail.summary.current_centre.timezone, "can_manage": manages,
        "videos": fleet_content.active_videos(session) if manages else [],
        "installed_ids": installed, "states": list(ServiceState),
        "face_covers": list(FaceCover), "methods": list(CleaningMethod),
        "battery": _battery(request), "now": now,
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
                 face_cover: FormText = "", notes: FormText = ""):
    headset = fleet.require_headset(session, staff, tag, utcnow())
    fleet.require_manager(session, staff, headset.home_centre_id)
    values = {"asset_tag": asset_tag, "serial": serial, "model": model,
              "face_cover": face_cover, "notes": notes}
    try:
        fleet_edit.update_headset(session, headset, fleet_edit.parse_headset_form(values), utcnow())
    except (InvalidInput, fleet_state.StrandingConflict) as error:
        session.rollback()
        stranding = error if isinstance(error, fleet_state.StrandingConflict) else None
        return _headset_page(request, session, staff, fleet.find_headset(session, tag),
                             status_code=error.status, form=values, errors=error.fields,
                             stranding=stranding, stranding_by_edit=stranding is not None)
    session.commit()
    return _saved(headset.asset_tag, "details")


@router.post("/staff/headsets/{tag}/state")
def change_state(request: Request, tag: str, session: SessionDep, staff: CurrentStaff,
                 to_state: FormText = "", reason: FormText = "", confirm: FormText = ""):
    now = utcnow()
    headset = fleet.require_headset(session, staff, tag, now)
    fleet.require_manager(session, staff, headset.home_centre_id)
    state_form = {"to_state": to_state, "reason": reason}
    try:
        result = fleet_state.change_state(session, headset, to_state, reason, staff, now,
                                    confirmed=confirm == "yes")
    except (InvalidInput, fleet_state.StrandingConflict) as error:
        session.rollback()
        stranding = error if isinstance(error, fleet_state.StrandingConflict) else None
        return _headset_page(request, session, staff, fleet.find_headset(session, tag),
                             status_code=error.status, state_form=state_form,
                             state_errors=error.fields, stranding=stranding)
    session.commit()
    if not (result.waitlisted or result.freed):
        return _saved(tag, "state")
    return _headset_page(request, session, staff, headset, state_result=result)


@router.post("/staff/headsets/{tag}/cleanings")
def log_cleaning(tag: str, session: SessionDep, staff: CurrentStaff, method: FormText = ""):
    headset = fleet.require_headset(session, staff, tag, utcnow())
    fleet_edit.log_cleaning(session, headset, method, staff, utcnow())
    session.commit()
    return _saved(headset.asset_tag, "cleaning")


@router.post("/staff/headsets/{tag}/charge")
def record_charge(request: Request, tag: str, session: SessionDep, staff: CurrentStaff,
                  percent: FormText = "", charged_at: FormText = ""):
    now = utcnow()
    headset = fleet.require_headset(session, staff, tag, now)
    zone = fleet.current_centre(session, headset, now).timezone
    try:
        level, at = parse_charge(percent, charged_at, zone, now)
    except InvalidInput as error:
        return _headset_page(request, session, staff, headset, status_code=422,
                             charge_errors=error.fields,
                             charge_form={"percent": percent, "charged_at": charged_at})
    fleet_edit.record_charge(session, headset, level, at)
    session.commit()
    return _saved(headset.asset_tag, "charge")


@router.post("/staff/headsets/{tag}/videos")
def set_videos(tag: str, session: SessionDep, staff: CurrentStaff, video: VideoIds = None):
    headset = fleet.require_headset(session, staff, tag, utcnow())
    fleet.require_manager(session, staff, headset.home_centre_id)
    fleet_content.set_installed_videos(session, [headset.id], set(video or ()), utcnow())
    session.commit()
    return _saved(headset.asset_tag, "videos")


# --- QR codes and labels --------------------------------------------------------------------

@router.get("/staff/headsets/{tag}/qr.png", name="headset_qr_png")
def headset_qr_png(request: Request, tag: str, session: SessionDep, staff: CurrentStaff):
    headset = fleet.require_headset(session, staff, tag, utcnow())
    return Response(qr_png(headset_url(request, headset.asset_tag)), media_type="image/png")


@router.get("/staff/headsets/{tag}/qr.svg", name="headset_qr_svg")
def headset_qr_svg(request: Request, tag: str, session: SessionDep, staff: CurrentStaff):
    headset = fleet.require_headset(session, staff, tag, utcnow())
    return Response(qr_svg(headset_url(request, headset.asset_tag)),
                    media_type="image/svg+xml")


@router.get("/staff/centres/{slug}/labels", name="headset_labels")
def labels(request: Request, slug: str, session: SessionDep, staff: CurrentStaff):
    """A printable A4 sheet of QR labels for the headsets based at a centre (not retired)."""
    centre = require_centre(session, staff, slug)
    headsets = session.exec(select(Headset).where(
        Headset.home_centre_id == centre.id, Headset.service_state != ServiceState.retired,
    ).order_by(Headset.asset_tag)).all()
    sheets = [headsets[i:i + LABELS_PER_SHEET] for i in range(0, len(headsets),
                                                              LABELS_PER_SHEET)]
    return render(request, "pages/labels.html",
                  {"staff": staff, "centre": centre, "sheets": sheets})


@router.get("/h/{tag}", name="headset_public")
def public_headset(request: Request, tag: str, session: SessionDep, staff: OptionalStaff):
    """Where a label's QR code leads: staff who may see it go to its page; others learn
    only whose it is and how to reach them."""
    headset = fleet.find_headset(session, tag)
    if staff is not None and fleet.can_see(session, staff, headset, utcnow()):
        return RedirectResponse(f"/staff/headsets/{headset.asset_tag}", status_code=303)
    owner = session.get(Centre, headset.home_centre_id)
    return render(request, "pages/headset_public.html",
                  {"staff": staff, "asset_tag": headset.asset_tag, "centre": owner})


# --- installed content for a whole centre ---------------------------------------------------

@router.get("/staff/centres/{slug}/videos", name="centre_videos")
def centre_videos(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
                  saved: str = ""):
    centre = require_centre(session, staff, slug)
    headset_ids = fleet_content.based_headset_ids(session, centre)
    return render(request, "pages/headset_centre_videos.html", {
        "staff": staff, "centre": centre, "headset_count": len(headset_ids),
        "videos": fleet_content.active_videos(session),
        "installed": fleet_content.installed_video_ids(session, headset_ids),
        "flagged": fleet_content.booked_jobs_missing_videos(session, centre, utcnow()),
        "can_manage": can_manage(session, staff, centre.id), "saved": saved,
    })


@router.post("/staff/centres/{slug}/videos")
def set_centre_videos(slug: str, session: SessionDep, staff: CurrentStaff,
                      video: VideoIds = None):
    centre = require_centre(session, staff, slug)
    fleet.require_manager(session, staff, centre.id)
    fleet_content.set_installed_videos(session, fleet_content.based_headset_ids(session, centre),
                               set(video or ()), utcnow())
    session.commit()
    return RedirectResponse(f"/staff/centres/{centre.slug}/videos?saved=1", status_code=303)


@router.get("/staff/centres/{slug}/missing-videos", name="centre_missing_videos")
def centre_missing_videos(request: Request, slug: str, session: SessionDep,
                          staff: CurrentStaff):
    """The booked jobs no headset at the centre can show (a fragment for the centre page)."""
    centre = require_centre(session, staff, slug)
    flagged = fleet_content.booked_jobs_missing_videos(session, centre, utcnow())
    return render(request, "partials/_headset_missing_videos.html",
                  {"centre": centre, "flagged": flagged})

