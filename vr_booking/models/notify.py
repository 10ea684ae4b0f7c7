"""What the background jobs remember: notices already sent, and each periodic job's last run."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from vr_booking.models.base import UTCDateTime, utcnow


class SentNotice(SQLModel, table=True):
    """A notice that must leave once (a reminder, a digest, a loan reminder).

    Inserting the row is the claim: the unique key makes a second insert do nothing, so two
    processes, a late run or a restart never send the same notice twice. ``key`` says which
    occurrence (the session a reminder is for, the date of a digest, a loan's end date).
    """

    __tablename__ = "sent_notice"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, description="e.g. reminder, digest, loan_return")
    subject_id: int = Field(description="the booking, centre or loan it is about")
    key: str = Field(default="", max_length=40)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class JobRun(SQLModel, table=True):
    """The last run of one periodic job (the admins' jobs page reads it)."""

    __tablename__ = "job_run"

    job_id: str = Field(primary_key=True, max_length=40)
    last_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_ok: bool = True
    last_rows: int = 0
    last_error: str = Field(default="", max_length=1000)
    last_error_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    runs: int = 0
