"""Headsets lent from a hub to an associated centre for a date range, and their hand-overs.

A loan's dates are inclusive local dates of the lending centre. Each lent headset is a
``LoanHeadset`` row that also carries the loan's dates and status: the database keeps that
copy equal to the loan (a composite foreign key with ``ON UPDATE CASCADE``), because the
PostgreSQL exclusion constraint that forbids lending one headset twice for overlapping dates
(written by hand in the migration, with btree_gist) can only look at one table's rows.
Read the dates and status from the ``Loan``; the copy exists for the constraint.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKeyConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from vr_booking.models.base import UTCDateTime, one_of, utcnow


class LoanStatus(StrEnum):
    planned = "planned"
    in_transit = "in_transit"
    active = "active"
    returned = "returned"
    overdue = "overdue"
    cancelled = "cancelled"


class Condition(StrEnum):
    """A headset's condition when it leaves and when it comes back."""

    good = "good"
    worn = "worn"
    damaged = "damaged"


class HandoverStep(StrEnum):
    dispatch = "dispatch"  # the lender hands the headsets over (planned → in_transit)
    receipt = "receipt"  # the borrower receives them (in_transit → active)
    back = "back"  # the lender takes them back (→ returned)


class Loan(SQLModel, table=True):
    __table_args__ = (
        one_of("status", LoanStatus),
        CheckConstraint("start_date <= end_date", name="start_before_end"),
        # The target of loan_headset's copy of the dates and status (see the module doc).
        UniqueConstraint("id", "start_date", "end_date", "status"),
        Index("ix_loan_status_start_date_end_date", "status", "start_date", "end_date"),
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
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoanHeadset(SQLModel, table=True):
    """One headset of a loan: its kit and its condition when it left and came back.

    ``kit`` lists the items sent with it (``services/loans/kits.py``), ``kit_back`` those that
    came back; ``received_at`` / ``back_at`` stay empty when it was missing at that scan.
    """

    __tablename__ = "loan_headset"
    __table_args__ = (
        ForeignKeyConstraint(
            ["loan_id", "start_date", "end_date", "status"],
            ["loan.id", "loan.start_date", "loan.end_date", "loan.status"],
            name="fk_loan_headset_loan", onupdate="CASCADE", ondelete="CASCADE"),
        one_of("condition_out", Condition),
        one_of("condition_back", Condition),
    )

    loan_id: int = Field(primary_key=True)
    headset_id: int = Field(foreign_key="headset.id", primary_key=True, index=True)
    start_date: date = Field(description="copy of the loan's, kept by the database")
    end_date: date = Field(description="copy of the loan's, kept by the database")
    status: str = Field(max_length=20, description="copy of the loan's, kept by the database")
    kit: list[str] = Field(default_factory=list, sa_type=JSON)
    kit_back: list[str] | None = Field(default=None, sa_type=JSON)
    condition_out: str | None = Field(default=None, max_length=20)
    notes_out: str = Field(default="", max_length=500)
    condition_back: str | None = Field(default=None, max_length=20)
    notes_back: str = Field(default="", max_length=500)
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    back_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @classmethod
    def of(cls, loan: Loan, headset_id: int, **fields: object) -> "LoanHeadset":
        """The row lending ``headset_id`` on ``loan`` (with its copy of the loan's dates)."""
        return cls(loan_id=loan.id, headset_id=headset_id, start_date=loan.start_date,
                   end_date=loan.end_date, status=loan.status, **fields)


class LoanHandover(SQLModel, table=True):
    """One hand-over of a loan's headsets: who recorded it, with whom, what was flagged.

    ``missing`` are the asset tags expected but not scanned, ``extra`` those scanned but not
    part of the loan.
    """

    __tablename__ = "loan_handover"
    __table_args__ = (one_of("step", HandoverStep), UniqueConstraint("loan_id", "step"))

    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key="loan.id", index=True, ondelete="CASCADE")
    step: str = Field(max_length=20)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id",
                                 ondelete="SET NULL")
    counterpart: str = Field(default="", max_length=200,
                             description="the person on the other side of the hand-over")
    notes: str = Field(default="", max_length=2000)
    missing: list[str] = Field(default_factory=list, sa_type=JSON)
    extra: list[str] = Field(default_factory=list, sa_type=JSON)
