"""Loans that must come back: return reminders before the end date, ``overdue`` after it.

- ``loan_reminder_days`` before a loan's end date, at ``reminder_time`` in the borrowing
  centre's zone, the borrowing centre is reminded (its managers, else its contact address).
  Claimed by a ``SentNotice`` per loan and end date, so an extended loan is reminded again.
- The day after the end date (in the borrower's zone), an active loan turns ``overdue``
  and the managers of both centres are told. The claim is the conditional
  ``UPDATE … SET status = 'overdue' WHERE status = 'active'``. An overdue loan keeps its
  headsets at the borrower (``fleet.location``) until it is returned.
"""

from datetime import date, datetime, timedelta

from babel.dates import format_date
from sqlalchemy import update
from sqlmodel import Session, col, select

from vr_booking.config import settings_for
from vr_booking.db import lock_centres
from vr_booking.models import Centre, Headset, Loan, LoanHeadset, LoanStatus
from vr_booking.services.audit import record
from vr_booking.services.mail import enqueue, render_mail
from vr_booking.services.notify.notices import claim_notice, manager_addresses
from vr_booking.services.timeutil import local_date, local_to_utc

LOAN_RETURN = "loan_return"


def _active_loans(session: Session, last_end: date) -> list[tuple[Loan, Centre, Centre]]:
    """Active loans ending by ``last_end``, with their lending and borrowing centres."""
    loans = session.exec(select(Loan).where(Loan.status == LoanStatus.active,
                                            Loan.end_date <= last_end).order_by(Loan.id)).all()
    centres = {c.id: c for c in session.exec(select(Centre).where(col(Centre.id).in_(
        {i for loan in loans for i in (loan.from_centre_id, loan.to_centre_id)})))}
    return [(loan, centres[loan.from_centre_id], centres[loan.to_centre_id]) for loan in loans]


def return_reminder_due_at(session: Session, loan: Loan, borrower: Centre) -> datetime:
    days = settings_for(session).loan_reminder_days
    return local_to_utc(loan.end_date - timedelta(days=days),
                        settings_for(session).reminder_time, borrower.timezone)


def _headset_tags(session: Session, loan: Loan) -> list[str]:
    return list(session.exec(
        select(Headset.asset_tag).join(LoanHeadset, col(LoanHeadset.headset_id) == Headset.id)
        .where(LoanHeadset.loan_id == loan.id).order_by(Headset.asset_tag)).all())


def _tell(session: Session, template: str, loan: Loan, lender: Centre, borrower: Centre,
          to: list[str]) -> int:
    settings = settings_for(session)
    language = settings.default_language
    subject, body = render_mail(
        template, language, loan=loan, lender=lender, borrower=borrower,
        headsets=_headset_tags(session, loan),
        end_date=format_date(loan.end_date, "full", locale=language),
        staff_url=f"{settings.base_url}/staff/centres/{lender.slug}")
    for address in dict.fromkeys(to):  # each address once, in order
        enqueue(session, address, subject, body)
    return len(dict.fromkeys(to))


def remind_loan_returns(session: Session, now: datetime) -> int:
    """Queue the return reminders due now; returns how many loans were reminded."""
    horizon = now.date() + timedelta(days=settings_for(session).loan_reminder_days + 2)
    reminded = 0
    for loan, lender, borrower in _active_loans(session, horizon):
        due_at = return_reminder_due_at(session, loan, borrower)
        if not (loan.created_at < due_at <= now
                and local_date(now, borrower.timezone) <= loan.end_date):
            continue
        if claim_notice(session, LOAN_RETURN, loan.id, loan.end_date.isoformat(), now):
            _tell(session, "loan_return_reminder", loan, lender, borrower,
                  manager_addresses(session, borrower))
            reminded += 1
    session.flush()
    return reminded


def mark_overdue_loans(session: Session, now: datetime) -> int:
    """Turn active loans past their end date overdue and tell both centres' managers."""
    due = [(loan, lender, borrower)
           for loan, lender, borrower in _active_loans(session, now.date() + timedelta(days=1))
           if local_date(now, borrower.timezone) > loan.end_date]
    if not due:
        return 0
    # Overdue headsets stay counted at the borrower, so the lender's pool shrinks: lock.
    lock_centres(session, {c.id for _loan, lender, borrower in due for c in (lender, borrower)})
    marked = 0
    for loan, lender, borrower in due:
        claimed = session.exec(update(Loan).where(col(Loan.id) == loan.id,
                                                  Loan.status == LoanStatus.active)
                               .values(status=LoanStatus.overdue)).rowcount
        if claimed != 1:
            continue
        _tell(session, "loan_overdue", loan, lender, borrower,
              manager_addresses(session, lender) + manager_addresses(session, borrower))
        record(session, None, "loan.overdue", centre_id=lender.id, subject_type="loan",
               subject_id=loan.id, summary=f"{lender.slug} → {borrower.slug}, "
                                           f"due back {loan.end_date.isoformat()}")
        marked += 1
    return marked
