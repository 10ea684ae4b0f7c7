"""Creating and editing headsets, logging cleanings and recording charge."""

import re
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from vr_booking.db import lock_centres
from vr_booking.i18n import _
from vr_booking.models import (
    Centre,
    Cleaning,
    CleaningMethod,
    FaceCover,
    Headset,
    HeadsetUse,
    ServiceState,
    StaffUser,
)
from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.fleet.state import centres_concerned
from vr_booking.services.open_access.pool import settle_pool_change

ASSET_TAG_RE = re.compile(r"^[A-Z]{2,5}-VR-[0-9]{2,4}$")

# --- creating and editing -------------------------------------------------------------------

class HeadsetForm(BaseModel):
    """What a manager may type about a headset (table models skip validation)."""

    asset_tag: str
    serial: Annotated[str | None, Field(max_length=64)] = None
    model: Annotated[str, Field(min_length=1, max_length=80)]
    face_cover: FaceCover
    notes: Annotated[str, Field(max_length=2000)] = ""

    @field_validator("asset_tag", mode="before")
    @classmethod
    def _tag(cls, value: object) -> str:
        tag = str(value or "").strip().upper()
        if not ASSET_TAG_RE.match(tag):
            raise ValueError("bad asset tag")
        return tag

    @field_validator("serial", "model", "notes", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("serial")
    @classmethod
    def _empty_serial(cls, value: str | None) -> str | None:
        return value or None


def _field_messages() -> dict[str, str]:
    return {
        "asset_tag": _("Use 2 to 5 capital letters, “-VR-” and 2 to 4 digits, e.g. MRS-VR-07."),
        "serial": _("The serial number has at most 64 characters."),
        "model": _("Give the headset's model."),
        "face_cover": _("Choose a face cover from the list."),
        "notes": _("Notes are limited to 2000 characters."),
    }


def parse_headset_form(data: dict[str, str]) -> HeadsetForm:
    """Validate a submitted headset form; errors name each field in people's words."""
    try:
        return HeadsetForm.model_validate(data)
    except ValidationError as exc:
        messages = _field_messages()
        fields = {str(e["loc"][0]): messages[str(e["loc"][0])] for e in exc.errors()}
        raise InvalidInput("invalid_headset", _("Please correct the marked fields."),
                           fields) from exc


def create_headset(session: Session, home_centre: Centre, form: HeadsetForm) -> Headset:
    return _save(session, Headset(home_centre_id=home_centre.id), form)


def update_headset(session: Session, headset: Headset, form: HeadsetForm,
                   now: datetime) -> Headset:
    """Apply a validated form. Fitting a foam cover takes the headset out of open access, so
    it is refused (lock, change, verify) when confirmed bookings would lose their seat."""
    to_foam = (form.face_cover == FaceCover.foam != headset.face_cover
               and headset.service_state == ServiceState.in_service)
    if not to_foam:
        return _save(session, headset, form)
    centre_ids = centres_concerned(session, headset, now)
    lock_centres(session, centre_ids)
    _save(session, headset, form)
    settle_pool_change(session, centre_ids, now, confirmed=False)
    return headset


def _save(session: Session, headset: Headset, form: HeadsetForm) -> Headset:
    """Write the form; asset tag and serial must be unused by any other headset."""
    fields = {}
    if _taken(session, Headset.asset_tag, form.asset_tag, headset.id):
        fields["asset_tag"] = _("Another headset already has this asset tag.")
    if form.serial and _taken(session, Headset.serial, form.serial, headset.id):
        fields["serial"] = _("Another headset already has this serial number.")
    if fields:
        raise InvalidInput("duplicate_headset", _("Please correct the marked fields."), fields)
    for name, value in form.model_dump().items():
        setattr(headset, name, value)
    session.add(headset)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent edit took the tag or serial meanwhile
        raise InvalidInput("duplicate_headset", _("Another headset was saved with the same "
                                                  "asset tag or serial; try again.")) from exc
    return headset


def _taken(session: Session, column: object, value: str, own_id: int | None) -> bool:
    query = select(Headset.id).where(column == value)
    if own_id is not None:
        query = query.where(Headset.id != own_id)
    return session.exec(query).first() is not None


# --- cleaning and charge --------------------------------------------------------------------

def log_cleaning(session: Session, headset: Headset, method: str, staff: StaffUser,
                 now: datetime) -> Cleaning:
    if method not in set(CleaningMethod):
        raise InvalidInput("bad_method", _("Choose how the headset was cleaned."),
                           {"method": _("Choose how the headset was cleaned.")})
    cleaning = Cleaning(headset_id=headset.id, method=method, staff_id=staff.id, cleaned_at=now)
    session.add(cleaning)
    session.flush()
    return cleaning


def record_charge(session: Session, headset: Headset, percent: int, at: datetime) -> None:
    headset.charge_percent, headset.charge_recorded_at = percent, at
    session.add(headset)
    session.flush()


def _worn(session: Session, headsets: list[Headset]) -> set[int]:
    return set(session.exec(select(HeadsetUse.headset_id).where(
        col(HeadsetUse.headset_id).in_([h.id for h in headsets]),
        col(HeadsetUse.returned_at).is_(None))))


def record_full_charge(session: Session, headset: Headset, now: datetime) -> None:
    """100 % now: it was just taken off its charger. Not for a headset being worn (a full
    charge recorded then would hide the time it is worn)."""
    if _worn(session, [headset]):
        raise Conflict("headset_in_use", _("{tag} is being worn: record its charge once it is "
                                           "back.").format(tag=headset.asset_tag))
    record_charge(session, headset, 100, now)


def record_full_charges(session: Session, headsets: list[Headset],
                        now: datetime) -> list[Headset]:
    """100 % now for every one of these headsets in service and not being worn (the desk's
    "all charged" after a night on the chargers); returns those recorded."""
    worn = _worn(session, headsets)
    charged = [h for h in headsets
               if h.id not in worn and h.service_state == ServiceState.in_service]
    for headset in charged:
        record_charge(session, headset, 100, now)
    return charged
