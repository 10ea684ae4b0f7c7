"""What the admins' jobs page shows: each periodic job's last run, next run, last error and
rows handled; the outbox's failed messages, and sending one again.

The scheduler records each run (:func:`record_run`) in its own short transaction after the
sweep. The next run is the last start plus the job's period: a next run long past means no
scheduler is running (``serve --no-scheduler`` without a ``vr-booking worker``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from vr_booking.i18n import _
from vr_booking.models import Centre, JobRun, OutboxMessage, StaffUser
from vr_booking.services.audit import record
from vr_booking.services.errors import NotFound
from vr_booking.services.mail import MAX_ATTEMPTS
from vr_booking.services.notify.notices import insert_ignoring_conflicts
from vr_booking.services.notify.schedule import PERIODIC_JOBS, PeriodicJob

ERROR_LENGTH = 1000
LATE_AFTER = timedelta(minutes=2)  # beyond its period, a job that has not run is late


def record_run(session: Session, job_id: str, started_at: datetime, finished_at: datetime,
               rows: int, error: str | None) -> None:
    """Store one run's outcome (the row is created on a job's first run)."""
    insert_ignoring_conflicts(session, JobRun, ["job_id"], job_id=job_id, last_ok=True,
                              last_rows=0, last_error="", runs=0)
    values: dict[str, object] = {"last_started_at": started_at,
                                 "last_finished_at": finished_at, "last_ok": error is None,
                                 "last_rows": rows, "runs": JobRun.runs + 1}
    if error is not None:
        values.update(last_error=error[:ERROR_LENGTH], last_error_at=finished_at)
    session.exec(update(JobRun).where(col(JobRun.job_id) == job_id).values(**values))


@dataclass
class JobStatus:
    job: PeriodicJob
    run: JobRun | None
    next_run_at: datetime | None  # None: the scheduler has not run it yet
    is_late: bool


def job_statuses(session: Session, now: datetime) -> list[JobStatus]:
    """Every periodic job with its last run, in the order the scheduler lists them."""
    runs = {r.job_id: r for r in session.exec(select(JobRun)).all()}
    statuses = []
    for job in PERIODIC_JOBS:
        run = runs.get(job.id)
        started = run.last_started_at if run else None
        next_at = started + job.every if started else None
        statuses.append(JobStatus(job, run, next_at,
                                  next_at is not None and next_at + LATE_AFTER < now))
    return statuses


def display_zone(session: Session) -> str:
    """The time zone the jobs page speaks in: the first centre's (jobs are installation-wide)."""
    return session.exec(select(Centre.timezone).order_by(Centre.id)).first() or "UTC"


@dataclass
class OutboxSummary:
    waiting: int  # not sent yet, not failed
    failed: list[OutboxMessage]  # not sent, with an error: retried later, or given up
    sent: int


def outbox_summary(session: Session, limit: int = 100) -> OutboxSummary:
    """The outbox's counts and its failed messages, most recent first."""
    unsent = col(OutboxMessage.sent_at).is_(None)
    waiting = session.exec(select(func.count()).select_from(OutboxMessage).where(
        unsent, OutboxMessage.last_error == "")).one()
    sent = session.exec(select(func.count()).select_from(OutboxMessage).where(
        col(OutboxMessage.sent_at).is_not(None))).one()
    failed = session.exec(select(OutboxMessage).where(unsent, OutboxMessage.last_error != "")
                          .order_by(col(OutboxMessage.id).desc()).limit(limit)).all()
    return OutboxSummary(waiting, list(failed), sent)


def has_given_up(message: OutboxMessage) -> bool:
    """Whether delivery stopped trying (it is retried only from the jobs page)."""
    return message.attempts >= MAX_ATTEMPTS


def retry_message(session: Session, actor: StaffUser, message_id: int,
                  now: datetime) -> OutboxMessage:
    """Send a failed message again at the next delivery run (idempotent once sent)."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("unknown_message", _("This message is no longer in the outbox."))
    queued = session.exec(update(OutboxMessage).where(
        col(OutboxMessage.id) == message_id, col(OutboxMessage.sent_at).is_(None),
    ).values(attempts=0, send_after=now, claimed_at=None, last_error="")).rowcount
    session.refresh(message)
    if queued:
        record(session, actor, "outbox.retried", subject_type="outbox_message",
               subject_id=message_id, summary="queued again from the jobs page")
    return message
