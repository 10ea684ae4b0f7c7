"""Open-access bookings, group participants and the feedback both can leave."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, func, text
from sqlmodel import Field, SQLModel

from vr_booking.models.base import UTCDateTime, one_of, utcnow


class BookingStatus(StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"
    checked_in = "checked_in"
    no_show = "no_show"
    offered = "offered"  # a freed seat kept for this waiting booking until offer_expires_at


# The status sets the rules ask about, named once.
SEAT_HOLDING = (BookingStatus.confirmed, BookingStatus.checked_in,
                BookingStatus.offered)  # takes a seat
ACTIVE = (BookingStatus.confirmed, BookingStatus.waitlisted,
          BookingStatus.offered)  # still to come: cancel, change
HOLDING = (*ACTIVE, BookingStatus.checked_in)  # what a closure or a rule change affects


class AgeBand(StrEnum):
    """Anonymous age bands; they add up to the European Social Fund's <25, 25–54, 55+."""

    teen = "13-17"
    young = "18-24"
    adult = "25-54"
    senior = "55+"


# A group's roster may name children: they come, but never wear a headset (field rule 1).
# Not an AgeBand, since open access and walk-ins are for 13 and over.
CHILD_AGE_BAND = "0-12"
MINOR_AGE_BANDS = (CHILD_AGE_BAND, AgeBand.teen.value)


def age_band_starts() -> tuple[int, ...]:
    """The ages where the recorded bands start (13, 18, 25, 55): the only places where
    reports can cut them into coarser bands."""
    return tuple(int(band.value.split("-")[0].rstrip("+")) for band in AgeBand)


class Gender(StrEnum):
    female = "female"
    male = "male"
    non_binary = "non_binary"


# A participant's answer to any optional ESF question (gender, age band, labour-market
# status, ISCED level) when they prefer not to say; an empty value means "not asked/answered".
UNDISCLOSED = "prefer_not"  # fits every ESF column (ISCED: 10 characters)


def _live_index(name: str, status: BookingStatus, *columns: str) -> Index:
    """An index of the bookings in one status that only lasts until the session (confirmed,
    waiting, offered): a few rows whatever the history, where a search by session reads
    every past session and one by status every booking.

    Partial, not a plain index on ``status``: without statistics (SQLite has none unless
    ANALYZE runs) the planner would take one to read ``checked_in``, most of the table,
    rather than a bounded range of sessions. Both databases use a partial index for
    ``status = ?`` when the value bound is the index's.
    """
    where = text(f"status = '{status.value}'")
    return Index(name, *columns, sqlite_where=where, postgresql_where=where)


class Booking(SQLModel, table=True):
    """One visitor's seat in an open-access session (rule 2: a first name is enough)."""

    __table_args__ = (
        one_of("status", BookingStatus),
        Index("ix_booking_session_id_status", "session_id", "status"),  # seats of slots
        # The minutely sweeps' bookings still confirmed (no-shows), waiting (promotion) or
        # offered (lapsed offers): see ``_live_index``.
        _live_index("ix_booking_confirmed", BookingStatus.confirmed, "status", "session_id"),
        _live_index("ix_booking_waitlisted", BookingStatus.waitlisted, "status", "session_id"),
        _live_index("ix_booking_offered", BookingStatus.offered, "offer_expires_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="vr_session.id", index=True)
    token: str = Field(max_length=64, unique=True, description="unguessable ticket token")
    short_code: str = Field(max_length=12, unique=True, description="typed at the desk")
    status: str = Field(default=BookingStatus.confirmed, max_length=20)
    name: str = Field(max_length=80)
    email: str | None = Field(default=None, max_length=254, index=True)
    language: str = Field(default="fr", max_length=5)
    age_confirmed: bool = False
    health_ack_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    browser_key: str | None = Field(default=None, max_length=64, index=True)
    address_key: str | None = Field(default=None, max_length=64, index=True,
                                    description="keyed hash of the client address (the cap "
                                                "per address), never the address itself")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Waiting-list offers (services/notify/offers.py): until when the offered seat is kept,
    # and when an offer lapsed unanswered (which cancels the booking).
    offer_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    offer_lapsed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                       description="personal data erased (name, e-mail)")
    survey_invited_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="when the exit-survey e-mail was queued")


# The booking path's lookup of one person's bookings (the duplicate and hoarding checks,
# ``lower(email) = ?``); a slot's seats by status are indexed in ``__table_args__``.
Index("ix_booking_email_lower", func.lower(Booking.email), Booking.status, Booking.session_id)


class BookingJob(SQLModel, table=True):
    """A job the visitor said they were interested in when booking."""

    __tablename__ = "booking_job"

    booking_id: int = Field(foreign_key="booking.id", primary_key=True, ondelete="CASCADE")
    job_id: int = Field(foreign_key="job.id", primary_key=True, ondelete="CASCADE")


class Participant(SQLModel, table=True):
    """One person in a group session's roster; no e-mail needed."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="vr_session.id", index=True, ondelete="CASCADE")
    display_name: str = Field(default="", max_length=80)
    code: str | None = Field(default=None, max_length=12, unique=True,
                             description="short code on the roster (feedback, check-in)")
    age_band: str = Field(default="", max_length=20)
    gender: str = Field(default="", max_length=20)
    labour_status: str = Field(default="", max_length=40)
    isced_level: str = Field(default="", max_length=10)
    is_walk_in: bool = False
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Feedback(SQLModel, table=True):
    """One anonymous exit-survey answer.

    It comes from a ticket (``booking_id``), a roster participant (``participant_id``) or the
    centre's poster (neither). The unique columns keep one answer per ticket or participant
    even when two submissions race: the database refuses the second. ``centre_id`` is stored
    for every answer because poster answers have nothing else that says where they were given.
    """

    __table_args__ = (
        CheckConstraint("rating IS NULL OR rating BETWEEN 0 AND 10", name="rating_range"),
        CheckConstraint("booking_id IS NULL OR participant_id IS NULL", name="one_person"),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(foreign_key="centre.id", index=True)
    booking_id: int | None = Field(default=None, foreign_key="booking.id", unique=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id", unique=True)
    learned: bool = Field(description="learned something about the job(s) watched")
    go_further: bool = Field(description="wants to go further (a professional, an adviser)")
    discomfort: bool = Field(description="felt discomfort")
    rating: int | None = Field(default=None, description="0–10, optional")
    comment: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class FeedbackJob(SQLModel, table=True):
    """A job that interested the person, as said in their feedback."""

    __tablename__ = "feedback_job"

    feedback_id: int = Field(foreign_key="feedback.id", primary_key=True, ondelete="CASCADE")
    job_id: int = Field(foreign_key="job.id", primary_key=True, ondelete="CASCADE")
