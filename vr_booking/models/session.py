"""Sessions (time windows that use headsets), the weekly open-access rule and allocations.

A "session" in the product (docs/architecture.md) is ``VRSession`` here, so that it never
gets confused with a database session. An open-access session is one bookable slot (one seat
length).
"""

from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from vr_booking.models.base import UTCDateTime, one_of, utcnow


class SessionKind(StrEnum):
    open_access = "open_access"
    workshop = "workshop"
    group_visit = "group_visit"
    discovery_event = "discovery_event"
    external_forum = "external_forum"


class SessionStatus(StrEnum):
    planned = "planned"
    cancelled = "cancelled"
    closed = "closed"


class OpenAccessRule(SQLModel, table=True):
    """A weekly open-access window in the centre's local wall-clock time."""

    __tablename__ = "open_access_rule"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_time < end_time", name="start_before_end"),
        CheckConstraint("seat_minutes > 0", name="seat_positive"),
        CheckConstraint("buffer_minutes >= 0", name="buffer_non_negative"),
        CheckConstraint("walk_in_reserve >= 0", name="reserve_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(foreign_key="centre.id", index=True)
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    start_time: time
    end_time: time
    seat_minutes: int = 20
    buffer_minutes: int = 2
    horizon_weeks: int = 4
    walk_in_reserve: int = 0
    valid_from: date | None = None
    valid_until: date | None = None
    is_active: bool = True


class Closure(SQLModel, table=True):
    """A day a centre's open access is closed (holiday, a closed Wednesday)."""

    __table_args__ = (UniqueConstraint("centre_id", "closed_date"),)

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(foreign_key="centre.id", index=True)
    closed_date: date
    reason: str = Field(default="", max_length=200)
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


LONGEST_SESSION = timedelta(hours=72)
"""No session lasts longer: group sessions are refused beyond it, slots last minutes. So a
session meeting a window started at most this long before the window: a lower bound on the
start that an index can use (the end alone cannot bound a search on the start)."""


class VRSession(SQLModel, table=True):
    __tablename__ = "vr_session"
    __table_args__ = (
        one_of("kind", SessionKind),
        one_of("status", SessionStatus),
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        UniqueConstraint("rule_id", "starts_at"),
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR min_age <= max_age",
                        name="ages_in_order"),
        CheckConstraint("briefing_minutes >= 0 AND video_minutes >= 0 AND cleaning_minutes >= 0",
                        name="rotation_minutes_non_negative"),
        Index("ix_vr_session_centre_id_starts_at", "centre_id", "starts_at"),  # a centre's slots
        # Sessions by start, with what a report filters and groups them by: a period's
        # figures read the index alone, not each session's row (a network's month: 10,840).
        Index("ix_vr_session_starts_at_kind_status_centre_id_ends_at", "starts_at", "kind",
              "status", "centre_id", "ends_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(foreign_key="centre.id", index=True)
    kind: str = Field(max_length=20)
    status: str = Field(default=SessionStatus.planned, max_length=20)
    title: str = Field(default="", max_length=200)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    rule_id: int | None = Field(default=None, foreign_key="open_access_rule.id", index=True)
    facilitator_id: int | None = Field(default=None, foreign_key="staff_user.id",
                                       description="the lead facilitator (others: "
                                                   "SessionFacilitator)")
    organisation: str = Field(default="", max_length=200)
    contact: str = Field(default="", max_length=200, description="who to call at the "
                                                                 "organisation")
    group_size: int = 0
    min_age: int | None = None
    max_age: int | None = None
    headsets_reserved: int = 0
    # One rotation round of a group: briefing, then the video, then cleaning (field rule 8).
    briefing_minutes: int = 5
    video_minutes: int = 15
    cleaning_minutes: int = 2
    accompanying_adult: str = Field(default="", max_length=200,
                                    description="named adult accompanying a group of minors")
    minors_authorisation_holder: str = Field(default="", max_length=200)
    location: str = Field(default="", max_length=200, description="off-site place of a forum")
    transport_minutes: int = 0
    esf_reported: bool = Field(default=False, description="European Social Fund reporting")
    debrief: str = Field(default="")
    debriefed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attendance: int | None = Field(default=None, description="people present, recorded at close")
    notes: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Allocation(SQLModel, table=True):
    """A headset reserved by a session for the whole time it is taken: from departure (start
    minus a forum's transport) until it is back and clean (end plus transport and cleaning).

    Invariant: no headset has two allocations whose ranges overlap (the database refuses it:
    an exclusion constraint on PostgreSQL, triggers on SQLite, both written in the
    migration), and none while it is away on loan or out of service (the group-session
    service, under the centre lock). A cancelled session's allocations are deleted.
    """

    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        Index("ix_allocation_headset_id_starts_at", "headset_id", "starts_at"),  # capacity
    )

    id: int | None = Field(default=None, primary_key=True)
    headset_id: int = Field(foreign_key="headset.id", index=True)
    session_id: int = Field(foreign_key="vr_session.id", index=True, ondelete="CASCADE")
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)


class SessionVideo(SQLModel, table=True):
    """A video planned for a group session; ``watched`` is recorded when the session closes."""

    __tablename__ = "session_video"

    session_id: int = Field(foreign_key="vr_session.id", primary_key=True, ondelete="CASCADE")
    video_id: int = Field(foreign_key="video.id", primary_key=True, ondelete="CASCADE")
    watched: bool = False


class SessionFacilitator(SQLModel, table=True):
    """A facilitator working a group session besides its lead (``VRSession.facilitator_id``)."""

    __tablename__ = "session_facilitator"

    session_id: int = Field(foreign_key="vr_session.id", primary_key=True, ondelete="CASCADE")
    staff_id: int = Field(foreign_key="staff_user.id", primary_key=True, ondelete="CASCADE")


class SessionJob(SQLModel, table=True):
    """A job planned for a group session (its videos are planned in ``SessionVideo``)."""

    __tablename__ = "session_job"

    session_id: int = Field(foreign_key="vr_session.id", primary_key=True, ondelete="CASCADE")
    job_id: int = Field(foreign_key="job.id", primary_key=True, ondelete="CASCADE")


class CalendarFeed(SQLModel, table=True):
    """A centre's calendar feed for staff calendars, at an unguessable address.

    Only the SHA-256 of the address's token is stored: the address is shown once, when made;
    revoking it makes the address answer 404.
    """

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(foreign_key="centre.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(default="", max_length=80, description="whose calendar, for people")
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id",
                                      ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
