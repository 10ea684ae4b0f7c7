"""Every e-mail is a row first; a sweep sends it and records the result."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from vr_booking.models.base import UTCDateTime, utcnow


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True,
                                   description="the booking it is about (erased with it)")
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body_text: str
    attachment_name: str = Field(default="", max_length=120)
    attachment_type: str = Field(default="", max_length=80)
    attachment_content: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    send_after: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)
