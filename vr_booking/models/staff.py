"""Staff accounts, the centres they work for, their API tokens and password links."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from vr_booking.models.base import UTCDateTime, one_of, utcnow


class Role(StrEnum):
    facilitator = "facilitator"
    manager = "manager"
    admin = "admin"


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"
    __table_args__ = (one_of("role", Role),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, description="stored lower-case")
    name: str = Field(max_length=120)
    password_hash: str = Field(default="", max_length=255)
    role: str = Field(max_length=20)
    is_active: bool = True
    session_version: int = Field(default=1, description="bump to sign out every session")
    can_edit_catalogue: bool = Field(default=False, description="may edit the network-wide "
                                     "catalogue without being an admin")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffCentre(SQLModel, table=True):
    """A centre a staff member works for (admins see every centre)."""

    __tablename__ = "staff_centre"

    staff_id: int = Field(foreign_key="staff_user.id", primary_key=True, ondelete="CASCADE")
    centre_id: int = Field(foreign_key="centre.id", primary_key=True, ondelete="CASCADE")


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(default="", max_length=80, description="what the token is for")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                        description="None: never (tokens from the CLI)")
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                          description="updated at most every few minutes")
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LinkPurpose(StrEnum):
    invitation = "invitation"
    reset = "reset"


class PasswordLink(SQLModel, table=True):
    """A one-time link to set a password (an invitation, or a reset); only its SHA-256 is
    stored. Used once, or superseded by a newer link, it stops working."""

    __tablename__ = "password_link"
    __table_args__ = (one_of("purpose", LinkPurpose),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    purpose: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                     description="used, or superseded by a newer link")
