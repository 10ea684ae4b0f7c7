"""The scheduler: periodic, idempotent sweeps over the database.

APScheduler 3 cannot share a job store between processes, so exactly one scheduler runs per
``serve`` (in the supervising process, whatever the number of workers) or in
``vr-booking worker``. Every sweep claims rows with conditional updates (or send-once
notice rows), so a duplicate or late run (two machines, a restart) does no harm. Periods
and labels live in :mod:`vr_booking.services.notify.schedule`; each run is recorded for the
admins' jobs page.
"""

import logging
from collections.abc import Callable
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Engine

from vr_booking.config import Settings
from vr_booking.db import reading, session_scope
from vr_booking.models import utcnow
from vr_booking.services.admin.sessions import purge_sessions
from vr_booking.services.desk.no_shows import release_no_shows
from vr_booking.services.mail import deliver_outbox
from vr_booking.services.notify.digest import send_digests
from vr_booking.services.notify.job_runs import record_run
from vr_booking.services.notify.loans import mark_overdue_loans, remind_loan_returns
from vr_booking.services.notify.offers import lapse_offers
from vr_booking.services.notify.reminders import send_due_reminders
from vr_booking.services.notify.retention import (
    RETENTION_BATCH,
    erase_expired_bookings,
    erase_expired_rest,
    expired_booking_ids,
    expired_participant_ids,
)
from vr_booking.services.notify.schedule import PERIODIC_JOBS
from vr_booking.services.open_access.slots import active_rules, extend_rule
from vr_booking.services.open_access.waitlist import promote_waiting
from vr_booking.services.reports.invitations import invite_to_survey
from vr_booking.services.throttle import purge_old_counters

log = logging.getLogger(__name__)
Sweep = Callable[[Engine, Settings], int]


def send_mail(engine: Engine, settings: Settings) -> int:
    return deliver_outbox(engine, settings, utcnow())


def extend_slots(engine: Engine, settings: Settings) -> int:
    """Keep every rule's slots generated up to its horizon as the days go by, a rule a
    transaction: in one transaction, the hourly run (~0.5 s at 40 hubs, three statements a
    rule) held SQLite's write lock all along, every booking waiting."""
    with session_scope(reading(engine), settings=settings) as session:
        rules = active_rules(session)
    created = 0
    for rule, centre in rules:
        with session_scope(engine, settings=settings) as session:
            created += extend_rule(session, rule.id, centre, utcnow().date())
    return created


def mark_no_shows(engine: Engine, settings: Settings) -> int:
    """Release the seats of booked visitors who did not come (walk-ins may take them)."""
    with session_scope(engine, settings=settings) as session:
        return release_no_shows(session, utcnow())


def fill_freed_seats(engine: Engine, settings: Settings) -> int:
    """Give seats that came back (headset repaired, loan ended…) to waiting bookings."""
    with session_scope(engine, settings=settings) as session:
        return len(promote_waiting(session, utcnow()))


def pass_on_lapsed_offers(engine: Engine, settings: Settings) -> int:
    """Cancel waiting-list offers nobody took in time; their seats go to the next person."""
    with session_scope(engine, settings=settings) as session:
        return lapse_offers(session, utcnow())


def remind_visitors(engine: Engine, settings: Settings) -> int:
    """Queue the reminders due the day before each session."""
    with session_scope(engine, settings=settings) as session:
        return send_due_reminders(session, utcnow())


def send_evening_digests(engine: Engine, settings: Settings) -> int:
    """Tell facilitators tomorrow's sessions, once each evening."""
    with session_scope(engine, settings=settings) as session:
        return send_digests(session, utcnow())


def watch_loans(engine: Engine, settings: Settings) -> int:
    """Remind borrowers before a loan ends; mark loans overdue the day after."""
    with session_scope(engine, settings=settings) as session:
        now = utcnow()
        return remind_loan_returns(session, now) + mark_overdue_loans(session, now)


def erase_expired_data(engine: Engine, settings: Settings) -> int:
    """Erase the personal data whose retention period is over.

    What has expired is searched in a read transaction, then erased (asked again row by row)
    in a short write transaction, bookings a batch at a time: on SQLite the search, which
    reads every expired session's bookings (~0.2 s an hour at 40 hubs, growing with the
    history), held the single write lock and every booking waited; and a backlog (the first
    run on years of history, a scheduler stopped for months) erased in one transaction held
    it for seconds (326,080 bookings at 40 hubs: 6–8 s)."""
    reader = reading(engine)
    erased = 0
    while True:
        with session_scope(reader, settings=settings) as session:
            found = expired_booking_ids(session, utcnow(), RETENTION_BATCH)
        if found:
            with session_scope(engine, settings=settings) as session:
                erased += erase_expired_bookings(session, found, utcnow())
        if len(found) < RETENTION_BATCH:
            break
    with session_scope(reader, settings=settings) as session:
        participants = expired_participant_ids(session, utcnow())
    with session_scope(engine, settings=settings) as session:
        return erased + erase_expired_rest(session, participants, utcnow())


def purge_security_records(engine: Engine, settings: Settings) -> int:
    """Forget ended staff sessions and idle rate counters (sign-in and booking limits)."""
    with session_scope(engine, settings=settings) as session:
        return purge_sessions(session, utcnow()) + purge_old_counters(session, utcnow())


def send_survey_invitations(engine: Engine, settings: Settings) -> int:
    """E-mail the survey link to visitors who came, once their session is over."""
    with session_scope(engine, settings=settings) as session:
        return invite_to_survey(session, utcnow())


SWEEPS: dict[str, Sweep] = {
    "outbox": send_mail,
    "slots": extend_slots,
    "no_shows": mark_no_shows,
    "waitlist": fill_freed_seats,
    "offers": pass_on_lapsed_offers,
    "reminders": remind_visitors,
    "digest": send_evening_digests,
    "loans": watch_loans,
    "retention": erase_expired_data,
    "security_records": purge_security_records,
    "survey_invitations": send_survey_invitations,
}


def run_job(engine: Engine, settings: Settings, job_id: str) -> int:
    """Run one sweep and record its outcome for the jobs page; returns the rows handled.

    A failing sweep is logged and recorded, never raised: its next run tries again.
    """
    started, rows, error = utcnow(), 0, None
    try:
        rows = SWEEPS[job_id](engine, settings)
    except Exception as failure:  # recorded, and retried at the next run
        log.exception("periodic job %s failed", job_id)
        error = f"{type(failure).__name__}: {failure}"
    if rows:
        log.info("periodic job %s handled %d row(s)", job_id, rows)
    try:
        with session_scope(engine, settings=settings) as session:
            record_run(session, job_id, started, utcnow(), rows, error)
    except Exception:  # the record is for people; the work is done
        log.exception("could not record the run of %s", job_id)
    return rows


def run_all_once(engine: Engine, settings: Settings) -> dict[str, int]:
    """Run every job once (``vr-booking worker --once``), e-mail delivery last so that what
    the other sweeps queued leaves in the same run."""
    order = [job.id for job in PERIODIC_JOBS if job.id != "outbox"] + ["outbox"]
    return {job_id: run_job(engine, settings, job_id) for job_id in order}


def build_scheduler(engine: Engine, settings: Settings, blocking: bool = False) -> BaseScheduler:
    """Every periodic job, first run at once (a restart catches up what is due)."""
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=UTC)
    for job in PERIODIC_JOBS:
        scheduler.add_job(run_job, "interval", seconds=job.every.total_seconds(), id=job.id,
                          args=[engine, settings, job.id], max_instances=1, coalesce=True,
                          next_run_time=utcnow())
    return scheduler
