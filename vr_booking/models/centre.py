"""Centres: hubs and the associated centres they lend headsets to."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from vr_booking.models.base import UTCDateTime, one_of, utcnow


class CentreKind(StrEnum):
    hub = "hub"
    associated = "associated"


class Centre(SQLModel, table=True):
    __table_args__ = (one_of("kind", CentreKind),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    kind: str = Field(default=CentreKind.associated, max_length=20)
    hub_id: int | None = Field(default=None, foreign_key="centre.id", index=True)
    timezone: str = Field(default="Europe/Paris", max_length=64)
    address: str = Field(default="", max_length=200)
    postcode: str = Field(default="", max_length=16)
    city: str = Field(default="", max_length=80)
    contact_email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=32)
    visitor_notes: str = Field(default="", max_length=1000,
                               description="opening notes shown to visitors on public pages")
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
