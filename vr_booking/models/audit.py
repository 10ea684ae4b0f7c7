"""The audit trail: who did what, when, to what, for the actions that matter.

Rows are written in the same transaction as the change they describe, so a refused or
rolled-back change leaves no row. They never hold visitor personal data: a booking is named
by its id, never by the visitor's name or e-mail.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from vr_booking.models.base import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True,
                                 ondelete="SET NULL", description="None: the system")
    actor_label: str = Field(default="", max_length=254, description="who, as they were named")
    action: str = Field(max_length=60, index=True, description="e.g. headset.state_changed")
    centre_id: int | None = Field(default=None, foreign_key="centre.id", index=True,
                                  ondelete="SET NULL")
    subject_type: str = Field(default="", max_length=40, description="e.g. headset, loan")
    subject_id: str = Field(default="", max_length=80, description="id, asset tag or slug")
    summary: str = Field(default="", max_length=500, description="what changed, for people")
