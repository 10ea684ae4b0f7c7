"""What a manager asks for when planning a group session, checked once for the planning form
and the API alike: every field has one message in people's words.

Rules checked here need no database: the kinds, a window within one visit, ages (nobody
under 13 wears a headset, so a group whose oldest member is under 13 cannot be planned;
a group with minors names its accompanying adult and who holds the parental
authorisations, field rule 1), the rotation's minutes, a place and transport for forums
only. What needs the database (headsets, jobs, staff) is checked by :mod:`.planning`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, ValidationError

from vr_booking.i18n import _
from vr_booking.models import LONGEST_SESSION, SessionKind
from vr_booking.services.errors import InvalidInput
from vr_booking.services.timeutil import local_to_utc

GroupKind = Literal["workshop", "group_visit", "discovery_event", "external_forum"]
GROUP_KINDS: tuple[str, ...] = get_args(GroupKind)  # every SessionKind but open access
FIRST_YEAR, LAST_YEAR = 2000, 2100
MINOR_UNDER = 18  # a group is "with minors" when its youngest may be under this age
HEADSET_AGE = 13  # field rule 1


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _text(value: Any) -> Any:
    """Trimmed, with plain line breaks and without NULs (PostgreSQL refuses them)."""
    if not isinstance(value, str):
        return value
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


Text = Annotated[str, BeforeValidator(_text)]
Short = Annotated[Text, StringConstraints(max_length=200)]
OptionalAge = Annotated[Annotated[int, Field(ge=0, le=120)] | None,
                        BeforeValidator(_blank_to_none)]


class GroupIn(BaseModel):
    """The fields and their bounds; :func:`parse_plan` adds the rules across fields."""

    kind: GroupKind
    title: Short = ""
    starts_at: datetime
    ends_at: datetime
    organisation: Short = ""
    contact: Short = ""
    group_size: int = Field(default=0, ge=0, le=500)
    min_age: OptionalAge = None
    max_age: OptionalAge = None
    headsets: Annotated[Annotated[int, Field(ge=0, le=200)] | None,
                        BeforeValidator(_blank_to_none)] = None
    headset_tags: list[Annotated[Text, StringConstraints(min_length=1, max_length=32)]] | None \
        = Field(default=None, max_length=200)
    briefing_minutes: int = Field(default=5, ge=0, le=120)
    video_minutes: int = Field(default=15, ge=1, le=120)
    cleaning_minutes: int = Field(default=2, ge=0, le=60)
    location: Short = ""
    transport_minutes: int = Field(default=0, ge=0, le=600)
    job_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(default_factory=list,
                                                                      max_length=50)
    video_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(default_factory=list,
                                                                        max_length=50)
    facilitators: list[Annotated[Text, StringConstraints(max_length=254)]] = Field(
        default_factory=list, max_length=20)
    esf_reported: bool = False
    notes: Annotated[Text, StringConstraints(max_length=2000)] = ""
    accompanying_adult: Short = ""
    minors_authorisation_holder: Short = ""


@dataclass
class GroupPlan:
    """A checked request: the session's fields, and the headsets wanted (a count or tags)."""

    fields: dict[str, Any]
    headsets: int = 0
    headset_tags: list[str] | None = None
    job_ids: list[int] = field(default_factory=list)
    video_ids: list[int] = field(default_factory=list)
    facilitators: list[str] = field(default_factory=list)  # e-mails, the lead first

    @property
    def starts_at(self) -> datetime:
        return self.fields["starts_at"]

    @property
    def ends_at(self) -> datetime:
        return self.fields["ends_at"]

    @property
    def wanted(self) -> int:
        return len(self.headset_tags) if self.headset_tags is not None else self.headsets


def messages() -> dict[str, str]:
    """One message a field, for values of the wrong type or out of bounds."""
    return {
        "kind": _("Choose a kind of session from the list."),
        "title": _("The title is limited to 200 characters."),
        "starts_at": _("Give the start as a date and time with its offset."),
        "ends_at": _("Give the end as a date and time with its offset."),
        "organisation": _("The organisation is limited to 200 characters."),
        "contact": _("The contact is limited to 200 characters."),
        "group_size": _("The group size is a whole number from 0 to 500."),
        "min_age": _("An age is a whole number from 0 to 120."),
        "max_age": _("An age is a whole number from 0 to 120."),
        "headsets": _("The number of headsets is a whole number from 0 to 200."),
        "headset_tags": _("Choose headsets by their asset tags."),
        "briefing_minutes": _("The briefing lasts from 0 to 120 minutes."),
        "video_minutes": _("The video time lasts from 1 to 120 minutes."),
        "cleaning_minutes": _("The cleaning lasts from 0 to 60 minutes."),
        "location": _("The place is limited to 200 characters."),
        "transport_minutes": _("The transport time is from 0 to 600 minutes."),
        "job_ids": _("Choose at most 50 jobs from the catalogue."),
        "video_ids": _("Choose at most 50 videos from the catalogue."),
        "facilitators": _("Choose at most 20 facilitators of the centre."),
        "esf_reported": _("Say yes or no."),
        "notes": _("The notes are limited to 2000 characters."),
        "accompanying_adult": _("The accompanying adult is limited to 200 characters."),
        "minors_authorisation_holder": _("This is limited to 200 characters."),
    }


def parse_plan(raw: Mapping[str, Any]) -> GroupPlan:
    """Check a request (typed by the API or strings from a form); InvalidInput with the
    fields' messages when something is wrong, code ``under_13`` when the group is too young.
    """
    try:
        data = GroupIn.model_validate(dict(raw))
    except ValidationError as error:
        text = messages()
        fields = {str(e["loc"][0]): text.get(str(e["loc"][0]), e["msg"])
                  for e in error.errors()}
        raise InvalidInput("invalid_group_session", _("Please correct the marked fields."),
                           fields) from error
    _check(data)
    values = data.model_dump(exclude={"headsets", "headset_tags", "job_ids", "video_ids",
                                      "facilitators"})
    return GroupPlan(values, data.headsets or 0, data.headset_tags, sorted(set(data.job_ids)),
                     sorted(set(data.video_ids)), list(dict.fromkeys(
                         f.lower() for f in data.facilitators if f)))


def _check(data: GroupIn) -> None:
    if data.max_age is not None and data.max_age < HEADSET_AGE:
        message = _("Nobody under 13 may wear a headset: a group whose oldest member is "
                    "under 13 cannot be planned.")
        raise InvalidInput("under_13", message, {"max_age": message})
    fields = {**_window_problems(data), **_age_problems(data), **_place_problems(data)}
    if data.headsets is not None and data.headset_tags:
        fields["headsets"] = _("Give a number of headsets or their asset tags, not both.")
    if fields:
        raise InvalidInput("invalid_group_session", _("Please correct the marked fields."),
                           fields)


def _window_problems(data: GroupIn) -> dict[str, str]:
    for name in ("starts_at", "ends_at"):
        instant = getattr(data, name)
        if instant.tzinfo is None or not FIRST_YEAR <= instant.year <= LAST_YEAR:
            return {name: messages()[name]}
    if data.ends_at <= data.starts_at:
        return {"ends_at": _("The end must be after the start.")}
    if data.ends_at - data.starts_at > LONGEST_SESSION:
        return {"ends_at": _("A session lasts at most 72 hours.")}
    return {}


def _age_problems(data: GroupIn) -> dict[str, str]:
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        return {"min_age": _("The youngest cannot be older than the oldest.")}
    if data.min_age is None or data.min_age >= MINOR_UNDER:
        return {}
    problems = {}
    if not data.accompanying_adult:
        problems["accompanying_adult"] = _(
            "A group with minors needs a named accompanying adult.")
    if not data.minors_authorisation_holder:
        problems["minors_authorisation_holder"] = _(
            "Say who holds the parental authorisations (for example the school).")
    return problems


def _place_problems(data: GroupIn) -> dict[str, str]:
    if data.kind == SessionKind.external_forum:
        if not data.location:
            return {"location": _("Give the address of the job fair.")}
        return {}
    if data.location:
        return {"location": _("Only an off-site job fair has another place than the "
                              "centre.")}
    if data.transport_minutes:
        return {"transport_minutes": _("Transport time is for off-site job fairs only.")}
    return {}


def window_from_form(day: str, start: str, end: str, zone: str) -> dict[str, Any]:
    """The form's local date and times as ``starts_at``/``ends_at`` (or field messages
    under ``date``/``start_time``/``end_time`` as InvalidInput)."""
    problems, parsed = {}, {}
    for name, text, kind in (("date", day, date), ("start_time", start, time),
                             ("end_time", end, time)):
        try:
            parsed[name] = kind.fromisoformat(text.strip()) if text.isascii() else None
        except ValueError:
            parsed[name] = None
        if parsed[name] is None:
            problems[name] = _("Give a date.") if kind is date else _("Give a time, e.g. 09:30.")
    if not problems and not FIRST_YEAR <= parsed["date"].year <= LAST_YEAR:
        problems["date"] = _("Give a date between 2000 and 2100.")
    if problems:
        raise InvalidInput("invalid_group_session", _("Please correct the marked fields."),
                           problems)
    return {"starts_at": local_to_utc(parsed["date"], parsed["start_time"], zone),
            "ends_at": local_to_utc(parsed["date"], parsed["end_time"], zone)}
