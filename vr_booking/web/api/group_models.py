"""The JSON shapes of the group-session API (``web/api/groups.py``): bodies, answers and the
documented refusals. Bounds of a planning request come from the service's own model
(:class:`vr_booking.services.groups.inputs.GroupIn`), so the API and the form agree."""

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field, create_model

from vr_booking.models import Participant
from vr_booking.services.groups.inputs import GroupIn
from vr_booking.services.groups.queries import GroupDetail
from vr_booking.services.groups.rotation import Rotation
from vr_booking.web.params import BodyId


class GroupCreate(GroupIn):
    centre: str = Field(max_length=40, description="slug of the centre, e.g. marseille")
    starts_at: AwareDatetime = Field(description="ISO 8601 with offset")
    ends_at: AwareDatetime = Field(description="ISO 8601 with offset")
    confirm: bool = Field(default=False, description="reserving during open access: move the "
                          "newest confirmed bookings that no longer fit to the waiting list "
                          "(they are told by e-mail) instead of refusing with 409")


# PATCH takes any of the planning fields (the bounds are checked by the service, on the
# session merged with the changes).
GroupUpdate = create_model(
    "GroupUpdate", confirm=(bool, False),
    **{name: (info.annotation | None, Field(default=None, description=info.description))
       for name, info in GroupIn.model_fields.items()})


class WarningPublic(BaseModel):
    code: str = Field(description="no_headsets, window_too_short, battery, first_timer, "
                                  "under_13")
    message: str


class RoundPublic(BaseModel):
    number: int
    starts_at: datetime
    ends_at: datetime
    size: int
    participant_ids: list[int] = Field(description="the named ones, when there is a roster")


class RotationPublic(BaseModel):
    rounds: int
    per_round: int = Field(description="people in the largest round")
    round_minutes: int = Field(description="briefing + video + cleaning")
    ends_at: datetime = Field(description="when the last round ends")
    sizes: list[int] = Field(description="people in each round, as even as they can be")
    schedule: list[RoundPublic]
    warnings: list[WarningPublic]


class AllocationPublic(BaseModel):
    asset_tag: str
    starts_at: datetime = Field(description="departure (a forum's transport before)")
    ends_at: datetime = Field(description="back and clean (transport and cleaning after)")


class ParticipantPublic(BaseModel):
    id: int
    name: str
    code: str | None
    age_band: str
    checked_in_at: datetime | None


class VideoPlanned(BaseModel):
    id: int
    title: str
    watched: bool


class GroupPublic(BaseModel):
    id: int
    kind: str
    status: str = Field(description="planned, cancelled or closed")
    title: str
    centre: str
    starts_at: datetime
    ends_at: datetime
    organisation: str
    contact: str
    group_size: int
    min_age: int | None
    max_age: int | None
    accompanying_adult: str
    minors_authorisation_holder: str
    location: str
    transport_minutes: int
    briefing_minutes: int
    video_minutes: int
    cleaning_minutes: int
    esf_reported: bool
    notes: str
    facilitators: list[str] = Field(description="e-mails, the lead first")
    job_ids: list[int]
    videos: list[VideoPlanned]
    allocated: list[str] = Field(description="asset tags of the reserved headsets")
    allocations: list[AllocationPublic]
    rotation: RotationPublic
    roster: list[ParticipantPublic]
    debrief: str
    debriefed_at: datetime | None
    attendance: int | None
    moved_to_waitlist: int = Field(default=0, description="bookings moved by this request")


class GroupSummary(BaseModel):
    id: int
    kind: str
    status: str
    title: str
    centre: str
    starts_at: datetime
    ends_at: datetime
    organisation: str
    group_size: int
    headsets_reserved: int


class GroupList(BaseModel):
    items: list[GroupSummary]
    total: int


class ParticipantIn(BaseModel):
    name: str = Field(default="", max_length=200, description="a first name (no e-mail)")
    code: str = Field(default="", max_length=40, description="or a code, 1–12 characters")
    age_band: str = Field(default="", max_length=20,
                          description="0-12, 13-17, 18-24, 25-54, 55+ or empty")


class ParticipantsCreate(BaseModel):
    participants: list[ParticipantIn] = Field(min_length=1, max_length=500)


class ParticipantList(BaseModel):
    items: list[ParticipantPublic]
    total: int


class CloseBody(BaseModel):
    debrief: str = Field(default="", max_length=20000)
    videos_watched: list[BodyId] | None = Field(default=None, max_length=200,
                                                description="ids of the videos watched")
    attendance: int | None = Field(default=None, ge=-2**31, le=2**31 - 1,
                                   description="people present")


class Clash(BaseModel):
    asset_tag: str
    held_by: str = Field(description="what holds it, in words")


class Window(BaseModel):
    starts_at: datetime
    ends_at: datetime


class HeadsetsBusy(BaseModel):
    detail: str
    code: str = Field(description="headsets_busy")
    clashes: list[Clash]
    free: list[str] = Field(description="asset tags free for the asked window")
    nearest_window: Window | None = Field(description="the nearest window (same length, "
                                                      "within a week) where the request fits")


def rotation_public(rotation: Rotation) -> RotationPublic:
    return RotationPublic(
        rounds=len(rotation.rounds), per_round=rotation.per_round,
        round_minutes=rotation.round_minutes, ends_at=rotation.ends_at, sizes=rotation.sizes,
        schedule=[RoundPublic(number=r.number, starts_at=r.starts_at, ends_at=r.ends_at,
                              size=r.size, participant_ids=[p.id for p in r.people])
                  for r in rotation.rounds],
        warnings=[WarningPublic(code=w.code, message=w.message) for w in rotation.warnings])


def participant_public(participant: Participant) -> ParticipantPublic:
    return ParticipantPublic(id=participant.id, name=participant.display_name,
                             code=participant.code,
                             age_band=participant.age_band,
                             checked_in_at=participant.checked_in_at)


def group_public(found: GroupDetail, moved: int = 0) -> GroupPublic:
    group = found.group
    return GroupPublic(
        **{name: getattr(group, name) for name in (
            "id", "kind", "status", "title", "starts_at", "ends_at", "organisation",
            "contact", "group_size", "min_age", "max_age", "accompanying_adult",
            "minors_authorisation_holder", "location", "transport_minutes",
            "briefing_minutes", "video_minutes", "cleaning_minutes", "esf_reported", "notes",
            "debrief", "debriefed_at", "attendance")},
        centre=found.centre.slug, facilitators=[u.email for u in found.facilitators],
        job_ids=[j.id for j in found.jobs],
        videos=[VideoPlanned(id=v.id, title=v.title, watched=w) for v, w in found.videos],
        allocated=[h.asset_tag for h in found.headsets],
        allocations=[AllocationPublic(asset_tag=h.asset_tag, starts_at=a.starts_at,
                                      ends_at=a.ends_at) for a, h in found.allocations],
        rotation=rotation_public(found.rotation),
        roster=[participant_public(p) for p in found.roster],
        moved_to_waitlist=moved)
