"""Server-side records of who is signed in, and the counters behind throttles and rate limits.

Both live in the database, not in a worker's memory, so that they hold for the whole
deployment however many worker processes serve it.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from vr_booking.models.base import UTCDateTime, utcnow


class StaffSession(SQLModel, table=True):
    """One signed-in browser. The signed cookie carries a random token whose SHA-256 is
    stored here: signing out revokes the row, so a cookie copied earlier opens nothing."""

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RateCounter(SQLModel, table=True):
    """Hits of one key (``login:account:…``, ``booking:address:…``) in a fixed window that
    started at ``window_start``; a hit after the window starts a new one."""

    __tablename__ = "rate_counter"

    key: str = Field(primary_key=True, max_length=120)
    window_start: datetime = Field(sa_type=UTCDateTime, index=True)
    hits: int = 0
