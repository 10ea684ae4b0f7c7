"""JSON API for headsets at the desk (staff bearer token): hand-out, return, cleaning,
incidents, group check-in. The same services as the Today page."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from vr_booking.models import CleaningMethod, IncidentKind, ServiceState, Video, utcnow
from vr_booking.services.access import require_centre
from vr_booking.services.desk.checkin import check_in_participant
from vr_booking.services.desk.handout import (
    hand_out,
    hand_out_message,
    return_headset,
    return_message,
)
from vr_booking.services.desk.incidents import PersonRef, incident_message, report_incident
from vr_booking.services.fleet.access import require_headset
from vr_booking.services.fleet.edits import log_cleaning
from vr_booking.web.api.responses import UNAUTHORIZED
from vr_booking.web.deps import ApiStaff, SessionDep
from vr_booking.web.params import BodyId
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1", tags=["desk"], responses=UNAUTHORIZED)
REFUSALS = {
    403: {"description": "The person or headset belongs to a centre you do not work for "
                         "(`code`: `not_your_centre`, `not_your_headset`)"},
    404: {"description": "Unknown headset, ticket or participant (`code`: `unknown_headset`, "
                         "`unknown_ticket`, `unknown_participant`)"},
    409: {"description": "Refused, with the reason in `detail` and a stable `code`: "
                         "`not_checked_in`, `already_has_headset`, `wrong_day`, "
                         "`wrong_centre`, `headset_elsewhere`, `headset_out_of_service`, "
                         "`headset_in_use`, `headset_dirty`, `headset_low_charge`, "
                         "`headset_foam_cover`, `headset_reserved`, `headset_not_in_use`, "
                         "`not_the_holder`, `would_strand`, `cancelled`"},
    422: {"description": "Invalid input (`code`: `invalid_incident`, `video_not_installed`, "
                         "or the field errors)"},
}
AssetTag = Annotated[str, Field(max_length=32,
                                description="the headset's asset tag, e.g. MRS-VR-07")]


class PersonFields(BaseModel):
    token: str | None = Field(default=None, max_length=200,
                              description="a booked visitor: the token of their ticket")
    code: str | None = Field(default=None, max_length=200,
                             description="a booked visitor: the short code on their ticket")
    participant_id: BodyId | None = Field(default=None, description="a walk-in or a group "
                                                                    "participant")

    def person(self) -> PersonRef:
        return PersonRef(self.token, self.code, self.participant_id)

    def _people_given(self) -> int:
        return sum(1 for v in (self.token, self.code, self.participant_id) if v is not None)

    @model_validator(mode="after")
    def _at_most_one_person(self) -> "PersonFields":
        if self._people_given() > 1:
            raise ValueError("give at most one of token, code or participant_id")
        return self


class HandOutCreate(PersonFields):
    headset: AssetTag
    centre: str | None = Field(default=None, description="slug of the desk's centre: a "
                               "person expected at another centre is refused (409)")

    @model_validator(mode="after")
    def _one_person(self) -> "HandOutCreate":
        if self._people_given() == 0:
            raise ValueError("give one of token, code or participant_id")
        return self


class VideoRef(BaseModel):
    id: int
    title: str


def _videos(videos: list[Video]) -> list[VideoRef]:
    return [VideoRef(id=v.id, title=v.title) for v in videos]


class HandOutPublic(BaseModel):
    use_id: int
    headset: str
    person: str = Field(description="the name the desk shows")
    session_id: int
    started_at: datetime
    is_first_immersion: bool
    cap_minutes: int = Field(description="20 for a first immersion, else 30 (rule 4)")
    videos: list[VideoRef] = Field(description="installed videos of the jobs the person "
                                                  "chose at booking")
    message: str


class ReturnCreate(BaseModel):
    headset: AssetTag
    videos: list[BodyId] | None = Field(default=None, description="ids of the videos watched; "
                                     "omitted: none recorded")


class ReturnPublic(BaseModel):
    use_id: int
    headset: str
    person: str
    started_at: datetime
    returned_at: datetime
    minutes: int
    usage_minutes: int = Field(description="the headset's total minutes of use")
    usage_count: int
    to_clean: bool = Field(default=True, description="always true: clean it before the next "
                                                     "person")
    watched: list[VideoRef]
    message: str


class CleaningCreate(BaseModel):
    headset: AssetTag
    method: CleaningMethod


class CleaningPublic(BaseModel):
    headset: str
    method: CleaningMethod
    cleaned_at: datetime


class IncidentCreate(PersonFields):
    kind: IncidentKind
    headset: str | None = Field(default=None, max_length=32, description="required for "
                                "damage and loss; for felt_unwell, the person wearing it")
    note: str = Field(default="", max_length=500, description="short; never medical details")
    confirm: bool = Field(default=False, description="damage/loss: a manager confirmed that "
                          "bookings the headset would strand go back to the waiting list")


class IncidentPublic(BaseModel):
    id: int
    kind: IncidentKind
    headset: str | None
    person: str | None
    occurred_at: datetime
    immersion_ended: bool
    service_state: ServiceState | None = Field(description="the headset's state afterwards")
    advice: str | None = Field(description="what to tell the person (felt_unwell)")
    message: str


class ParticipantCheckInCreate(BaseModel):
    participant_id: BodyId


class ParticipantCheckInPublic(BaseModel):
    participant_id: int
    name: str
    already: bool
    checked_in_at: datetime


@router.post("/handouts", status_code=201, response_model=HandOutPublic, responses=REFUSALS,
             summary="Hand a headset to a checked-in person")
def post_hand_out(session: SessionDep, staff: ApiStaff, body: HandOutCreate) -> HandOutPublic:
    desk = require_centre(session, staff, body.centre) if body.centre else None
    done = hand_out(session, staff, utcnow(), body.headset, token=body.token, code=body.code,
                    participant_id=body.participant_id, centre_id=desk.id if desk else None)
    return HandOutPublic(
        use_id=done.use.id, headset=done.headset.asset_tag, person=done.holder.name,
        session_id=done.use.session_id, started_at=done.use.started_at,
        is_first_immersion=done.use.is_first_immersion,
        cap_minutes=done.immersion.cap_minutes, videos=_videos(done.videos),
        message=hand_out_message(done))


@router.post("/returns", response_model=ReturnPublic, responses=REFUSALS,
             summary="Take a headset back (it is then to clean)")
def post_return(session: SessionDep, staff: ApiStaff, body: ReturnCreate) -> ReturnPublic:
    done = return_headset(session, staff, utcnow(), body.headset, video_ids=body.videos)
    return ReturnPublic(
        use_id=done.use.id, headset=done.headset.asset_tag, person=done.holder.name,
        started_at=done.use.started_at, returned_at=done.use.returned_at, minutes=done.minutes,
        usage_minutes=done.headset.usage_minutes, usage_count=done.headset.usage_count,
        watched=_videos(done.watched), message=return_message(done))


@router.post("/cleanings", status_code=201, response_model=CleaningPublic, responses=REFUSALS,
             summary="Log a cleaning (wipes or UV-C)")
def post_cleaning(session: SessionDep, staff: ApiStaff, body: CleaningCreate) -> CleaningPublic:
    now = utcnow()
    headset = require_headset(session, staff, body.headset, now)
    cleaning = log_cleaning(session, headset, body.method, staff, now)
    return CleaningPublic(headset=headset.asset_tag, method=cleaning.method,
                          cleaned_at=cleaning.cleaned_at)


@router.post("/incidents", status_code=201, response_model=IncidentPublic, responses=REFUSALS,
             summary="Report an incident: felt unwell, damage, loss or other")
def post_incident(session: SessionDep, staff: ApiStaff, body: IncidentCreate) -> IncidentPublic:
    report = report_incident(session, staff, utcnow(), body.kind, asset_tag=body.headset,
                             person=body.person(), note=body.note, confirmed=body.confirm)
    incident, headset = report.incident, report.headset
    return IncidentPublic(
        id=incident.id, kind=incident.kind, headset=headset.asset_tag if headset else None,
        person=report.holder.name if report.holder else None, occurred_at=incident.occurred_at,
        immersion_ended=report.ended_use is not None,
        service_state=headset.service_state if headset else None, advice=report.advice,
        message=incident_message(report))


@router.post("/participant-checkins", response_model=ParticipantCheckInPublic,
             responses=REFUSALS, summary="Check a group participant in (idempotent)")
def post_participant_check_in(session: SessionDep, staff: ApiStaff,
                              body: ParticipantCheckInCreate) -> ParticipantCheckInPublic:
    holder, already = check_in_participant(session, staff, body.participant_id, utcnow())
    return ParticipantCheckInPublic(participant_id=holder.participant.id, name=holder.name,
                                    already=already,
                                    checked_in_at=holder.participant.checked_in_at)
