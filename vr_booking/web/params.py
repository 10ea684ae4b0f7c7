"""The one parsing layer for what requests carry: path, query and form values.

Every value is bounded before a service sees it, so that no input can crash a handler:
ids fit a database integer (an offset of 2**63 once made SQLite raise and the API answer
500), numbers are ASCII digits only (``"²".isdigit()`` is true and ``int("²")`` raises),
dates and times fall between the years 2000 and 2100 (``9999-12-31`` overflowed when turned
into a UTC instant), and texts are capped. Routers use the annotated types for parameters
that FastAPI validates (a bad value answers 422), and the ``parse_…`` functions for form
fields whose problem is shown next to the field (they raise :class:`ValueError`).
"""

import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Form, Path, Query
from pydantic import BeforeValidator, Field

MAX_ID = 2**31 - 1
MIN_YEAR, MAX_YEAR = 2000, 2100
_DIGITS = re.compile(r"[0-9]{1,10}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_LOCAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?")


def parse_int(text: str, low: int, high: int) -> int:
    """A whole number written in ASCII digits, within [low, high]."""
    text = text.strip()
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise ValueError(f"not a whole number from {low} to {high}")
    return int(text)


def parse_id(text: str) -> int:
    """A database id: ASCII digits, from 1 to 2**31 - 1."""
    return parse_int(text, 1, MAX_ID)


def _sane_year(value: date) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")


def parse_date(text: str) -> date:
    """A date written YYYY-MM-DD, between the years 2000 and 2100."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        raise ValueError("not a date written YYYY-MM-DD")
    value = date.fromisoformat(text)
    _sane_year(value)
    return value


def parse_local_datetime(text: str) -> datetime:
    """A wall-clock date and time (YYYY-MM-DDTHH:MM, as a datetime-local field sends it),
    naive, between the years 2000 and 2100."""
    text = text.strip()
    if not _ISO_LOCAL.fullmatch(text):
        raise ValueError("not a date and time written YYYY-MM-DDTHH:MM")
    value = datetime.fromisoformat(text)
    _sane_year(value.date())
    return value


def ids_from(values: list[str] | None) -> list[int]:
    """The valid ids among form values, such as ticked checkboxes (others are ignored)."""
    found = []
    for value in values or []:
        try:
            found.append(parse_id(value))
        except ValueError:
            continue
    return found


def _date_value(value: Any) -> Any:
    """For FastAPI: a query value as a bounded date (pydantic alone takes year 1 or 9999)."""
    return parse_date(value) if isinstance(value, str) else value


PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
FormId = Annotated[int, Form(ge=1, le=MAX_ID)]
OptionalFormId = Annotated[int | None, Form(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
SaneDate = Annotated[date, BeforeValidator(_date_value)]
# Form fields: a short value (a name, a code, a choice) or a free text (notes, descriptions).
# The services check the real limits and say them in people's words; these only bound input.
FormText = Annotated[str, Form(max_length=200)]
FormNote = Annotated[str, Form(max_length=2000)]
FormIds = Annotated[list[str] | None, Form(description="the ticked checkboxes' values")]
QueryText = Annotated[str, Query(max_length=200)]
