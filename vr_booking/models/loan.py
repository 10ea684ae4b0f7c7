"""Headsets lent from a hub to an associated centre for a date range."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from vr_booking.models.base import UTCDateTime, one_of, utcnow


class LoanStatus(StrEnum):
    planned = "planned"
    in_transit = "in_transit"
    active = "active"
    returned = "returned"
    overdue = "overdue"


class Loan(SQLModel, table=True):
    __table_args__ = (
        one_of("status", LoanStatus),
        CheckConstraint("start_date <= end_date", name="start_before_end"),
    )

    id: int | None = Field(default=None, primary_key=True)
    from_centre_id: int = Field(foreign_key="centre.id", index=True)
    to_centre_id: int = Field(foreign_key="centre.id", index=True)
    start_date: date
    end_date: date
    status: str = Field(default=LoanStatus.planned, max_length=20)
    notes: str = Field(default="")
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoanHeadset(SQLModel, table=True):
    __tablename__ = "loan_headset"

    loan_id: int = Field(foreign_key="loan.id", primary_key=True, ondelete="CASCADE")
    headset_id: int = Field(foreign_key="headset.id", primary_key=True, index=True)
