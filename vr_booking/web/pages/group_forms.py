"""The planning form of a group session: its submitted values as a planning request, a
session as form values, and the choices the form offers (headsets, jobs, staff).

Without JavaScript the form posts and gets a whole page back: refusals (field errors, busy
headsets with the nearest window, open-access bookings in the way) are drawn in the page,
with the values kept.
"""

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session

from vr_booking.models import Centre, Headset, utcnow
from vr_booking.services.catalogue.edits import all_jobs_by_sector
from vr_booking.services.errors import InvalidInput
from vr_booking.services.fleet.location import headsets_at
from vr_booking.services.groups.inputs import GROUP_KINDS, window_from_form
from vr_booking.services.groups.links import centre_staff
from vr_booking.services.groups.rotation import Limits
from vr_booking.services.timeutil import to_local
from vr_booking.web.params import ids_from

LISTS = ("headset_tags", "job_ids", "facilitators")
TEXTS = ("kind", "title", "organisation", "contact", "group_size", "min_age", "max_age",
         "briefing_minutes", "video_minutes", "cleaning_minutes", "location",
         "transport_minutes", "notes", "accompanying_adult", "minors_authorisation_holder")
MAX_VALUE = 5000


async def _form_values(request: Request) -> dict[str, Any]:
    """The submitted form, bounded; the lists (checkboxes) keep all their values."""
    form = await request.form()
    return {key: [v[:254] for v in form.getlist(key) if isinstance(v, str)][:200]
            if key in LISTS else str(form[key])[:MAX_VALUE] for key in form}


FormValues = Annotated[dict[str, Any], Depends(_form_values)]


def plan_request(values: dict[str, Any], centre: Centre) -> dict[str, Any]:
    """The form's values as a planning request (InvalidInput for the date and times)."""
    raw: dict[str, Any] = {name: values.get(name, "") for name in TEXTS}
    moved = values.get("move_to", "")
    if moved:  # the "plan it at the nearest time" button of a refusal
        _use_nearest(values, moved, centre)
    raw.update(window_from_form(values.get("date", ""), values.get("start_time", ""),
                                values.get("end_time", ""), centre.timezone))
    raw["headsets"] = values.get("headsets", "")  # a number, or tags: both is refused
    if values.get("headset_tags"):
        raw["headset_tags"] = values["headset_tags"]
    raw["job_ids"] = ids_from(values.get("job_ids"))
    raw["facilitators"] = values.get("facilitators", [])
    raw["esf_reported"] = values.get("esf_reported") == "yes"
    return raw


def _use_nearest(values: dict[str, Any], moved: str, centre: Centre) -> None:
    """Move the form's window to start at ``moved`` (ISO 8601), keeping its length."""
    try:
        start = datetime.fromisoformat(moved)
        old = window_from_form(values.get("date", ""), values.get("start_time", ""),
                               values.get("end_time", ""), centre.timezone)
    except (ValueError, InvalidInput):
        return
    if start.tzinfo is None:
        return
    local = to_local(start, centre.timezone)
    end = to_local(start + (old["ends_at"] - old["starts_at"]), centre.timezone)
    values.update(date=local.date().isoformat(), start_time=local.strftime("%H:%M"),
                  end_time=end.strftime("%H:%M"))


def session_values(values: dict[str, Any], centre: Centre) -> dict[str, Any]:
    """A session's planning values (``planning.plan_values``) as the form shows them."""
    start = to_local(values["starts_at"], centre.timezone)
    end = to_local(values["ends_at"], centre.timezone)
    shown = {k: "" if values.get(k) is None else str(values[k]) for k in TEXTS}
    return {**shown, "date": start.date().isoformat(), "start_time": start.strftime("%H:%M"),
            "end_time": end.strftime("%H:%M"),
            "headsets": str(values["headsets"]), "headset_tags": [],
            "job_ids": [str(j) for j in values["job_ids"]],
            "facilitators": values["facilitators"],
            "esf_reported": "yes" if values["esf_reported"] else ""}


def blank_values(centre: Centre) -> dict[str, Any]:
    """A new session: next week's same day, 09:30–11:30, a class with 10 headsets' rounds."""
    day = to_local(utcnow(), centre.timezone).date() + timedelta(days=7)
    return {"kind": "group_visit", "date": day.isoformat(), "start_time": "09:30",
            "end_time": "11:30", "headsets": "", "group_size": "",
            "briefing_minutes": "5", "video_minutes": "15", "cleaning_minutes": "2",
            "transport_minutes": "0", "headset_tags": [], "job_ids": [], "facilitators": []}


def form_choices(session: Session, centre: Centre) -> dict[str, Any]:
    """What the form offers: kinds, the centre's headsets, jobs by sector, its staff."""
    now = utcnow()
    headsets: list[Headset] = headsets_at(session, centre, now, now)
    return {"kinds": GROUP_KINDS, "headsets": headsets,
            "jobs_by_sector": all_jobs_by_sector(session), "staff_choices": centre_staff(
                session, centre), "limits": Limits()}
