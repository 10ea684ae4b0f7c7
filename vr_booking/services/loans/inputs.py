"""What a new loan asks for, checked the same way for the board's form and the API.

Every refusal names its field (``from_centre``, ``to_centre``, ``start_date``, ``end_date``,
``headset_tags``, ``kit``, ``notes``), so that forms show it beside the field and the API
answers 422 with ``fields``.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from vr_booking.i18n import _
from vr_booking.models import Centre, Headset
from vr_booking.services.errors import InvalidInput
from vr_booking.services.fleet.access import headsets_by_tag

MAX_LOAN_DAYS = 366
MAX_HEADSETS = 200
MAX_NOTES = 2000
FIRST_YEAR, LAST_YEAR = 2000, 2100
ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass
class LoanRequest:
    """A loan as asked: centres by slug, inclusive local dates of the lender, asset tags."""

    from_centre: str
    to_centre: str
    start_date: date | None
    end_date: date | None
    headset_tags: list[str]
    kit: list[str] = field(default_factory=list)
    notes: str = ""


def parse_day(value: str, name: str) -> date:
    """A ``YYYY-MM-DD`` date (ASCII digits, years 2000–2100), refused with the field's name."""
    value = value.strip()
    try:
        day = date.fromisoformat(value) if ISO_DAY.match(value) else None
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        message = _("Give a date as YYYY-MM-DD between {first} and {last}.").format(
            first=FIRST_YEAR, last=LAST_YEAR)
        raise InvalidInput("invalid_date", message, {name: message})
    return day


def request_from_form(lender_slug: str, values: dict[str, str], tags: list[str],
                      kit: list[str]) -> LoanRequest:
    """A loan request from the board's form; every unreadable date is named at once."""
    days, fields = {}, {}
    for name in ("start_date", "end_date"):
        try:
            days[name] = parse_day(values.get(name, ""), name) if values.get(name) else None
        except InvalidInput as error:
            fields.update(error.fields)
    if fields:
        raise InvalidInput("invalid_loan", _("Please correct the marked fields."), fields)
    return LoanRequest(lender_slug, values.get("to_centre", ""), days["start_date"],
                       days["end_date"], tags, kit, values.get("notes", ""))


def check_dates(start: date | None, end: date | None, today: date) -> dict[str, str]:
    """Field → message for loan dates that cannot work (empty when they can)."""
    if start is None:
        return {"start_date": _("Say when the loan starts.")}
    if end is None:
        return {"end_date": _("Say when the headsets come back.")}
    if not FIRST_YEAR <= start.year <= LAST_YEAR or not FIRST_YEAR <= end.year <= LAST_YEAR:
        return {"start_date": _("Dates must fall between {first} and {last}.").format(
            first=FIRST_YEAR, last=LAST_YEAR)}
    if start < today:
        return {"start_date": _("A loan cannot start in the past.")}
    if end < start:
        return {"end_date": _("The loan must end on or after its first day.")}
    if end - start >= timedelta(days=MAX_LOAN_DAYS):
        return {"end_date": _("A loan lasts at most {days} days.").format(days=MAX_LOAN_DAYS)}
    return {}


def check_request(data: LoanRequest, today: date) -> None:
    """Refuse dates, headset lists or notes that cannot make a loan."""
    fields = check_dates(data.start_date, data.end_date, today)
    if not data.headset_tags:
        fields["headset_tags"] = _("Choose at least one headset.")
    elif len(data.headset_tags) > MAX_HEADSETS:
        fields["headset_tags"] = _("A loan holds at most {count} headsets.").format(
            count=MAX_HEADSETS)
    if len(data.notes) > MAX_NOTES:
        fields["notes"] = _("Notes are limited to {count} characters.").format(count=MAX_NOTES)
    if fields:
        raise InvalidInput("invalid_loan", _("Please correct the marked fields."), fields)


def check_borrower(lender: Centre, borrower: Centre) -> None:
    """A hub lends only to the associated centres it leads."""
    if borrower.hub_id != lender.id:
        message = _("{lender} lends only to the centres it leads; {borrower} is not one.")\
            .format(lender=lender.name, borrower=borrower.name)
        raise InvalidInput("not_an_associated_centre", message, {"to_centre": message})


def lender_headsets(session: Session, lender: Centre, tags: list[str]) -> list[Headset]:
    """The headsets named, all based at the lender; unknown or foreign tags are refused."""
    headsets = headsets_by_tag(session, tags)
    foreign = [h.asset_tag for h in headsets if h.home_centre_id != lender.id]
    if foreign:
        message = _("Not headsets of {centre}: {tags}.").format(centre=lender.name,
                                                                tags=", ".join(foreign))
        raise InvalidInput("not_lenders_headset", message, {"headset_tags": message})
    return sorted(headsets, key=lambda h: h.asset_tag)
