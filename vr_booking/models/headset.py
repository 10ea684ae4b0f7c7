"""Headsets, what is installed on them, and their cleaning and incident logs.

Where a headset is at a given time is derived from its home centre and its loans
(``services``), never stored here.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from vr_booking.models.base import UTCDateTime, one_of, utcnow


class ServiceState(StrEnum):
    in_service = "in_service"
    maintenance = "maintenance"
    retired = "retired"
    lost = "lost"


class FaceCover(StrEnum):
    silicone = "silicone"
    foam = "foam"
    disposable = "disposable"


class CleaningMethod(StrEnum):
    wipes = "wipes"
    uvc = "uvc"


class IncidentKind(StrEnum):
    felt_unwell = "felt_unwell"
    damage = "damage"
    loss = "loss"
    other = "other"


class Headset(SQLModel, table=True):
    __table_args__ = (one_of("service_state", ServiceState), one_of("face_cover", FaceCover))

    id: int | None = Field(default=None, primary_key=True)
    asset_tag: str = Field(max_length=32, unique=True)
    serial: str | None = Field(default=None, max_length=64, unique=True)
    model: str = Field(default="Meta Quest", max_length=80)
    home_centre_id: int = Field(foreign_key="centre.id", index=True)
    service_state: str = Field(default=ServiceState.in_service, max_length=20)
    face_cover: str = Field(default=FaceCover.silicone, max_length=20)
    notes: str = Field(default="")
    charge_percent: int | None = Field(default=None, description="last recorded battery level")
    charge_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    usage_count: int = 0
    usage_minutes: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HeadsetStateChange(SQLModel, table=True):
    """A change of service state, with who, when and why (the headset's history)."""

    __tablename__ = "headset_state_change"
    __table_args__ = (one_of("to_state", ServiceState),)

    id: int | None = Field(default=None, primary_key=True)
    headset_id: int = Field(foreign_key="headset.id", index=True, ondelete="CASCADE")
    from_state: str = Field(max_length=20)
    to_state: str = Field(max_length=20)
    reason: str = Field(max_length=500)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HeadsetUse(SQLModel, table=True):
    """One person wearing one headset: handed out, then returned (then it must be cleaned).

    Exactly one of ``booking_id`` / ``participant_id`` says who.
    """

    __tablename__ = "headset_use"
    __table_args__ = (
        CheckConstraint("(booking_id IS NULL) <> (participant_id IS NULL)", name="one_person"),
        Index("ix_headset_use_headset_id_returned_at", "headset_id", "returned_at"),
        Index("ix_headset_use_started_at", "started_at"),  # reports: the period's uses
    )

    id: int | None = Field(default=None, primary_key=True)
    headset_id: int = Field(foreign_key="headset.id", index=True)
    session_id: int = Field(foreign_key="vr_session.id", index=True)
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    is_first_immersion: bool = True
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handed_out_by_id: int | None = Field(default=None, foreign_key="staff_user.id")


class WatchedVideo(SQLModel, table=True):
    """A video watched during a headset use."""

    __tablename__ = "watched_video"

    use_id: int = Field(foreign_key="headset_use.id", primary_key=True, ondelete="CASCADE")
    video_id: int = Field(foreign_key="video.id", primary_key=True)


class InstalledVideo(SQLModel, table=True):
    __tablename__ = "installed_video"

    headset_id: int = Field(foreign_key="headset.id", primary_key=True, ondelete="CASCADE")
    video_id: int = Field(foreign_key="video.id", primary_key=True, ondelete="CASCADE")
    installed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Cleaning(SQLModel, table=True):
    __table_args__ = (
        one_of("method", CleaningMethod),
        Index("ix_cleaning_headset_id_cleaned_at", "headset_id", "cleaned_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    headset_id: int = Field(foreign_key="headset.id", index=True)
    method: str = Field(max_length=20)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    cleaned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Incident(SQLModel, table=True):
    """Something that happened during a session; never medical details (rule 3)."""

    __table_args__ = (one_of("kind", IncidentKind),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    session_id: int | None = Field(default=None, foreign_key="vr_session.id", index=True)
    headset_id: int | None = Field(default=None, foreign_key="headset.id", index=True)
    booking_id: int | None = Field(default=None, foreign_key="booking.id")
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    note: str = Field(default="", max_length=500)
    reported_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
