"""The scheduler: periodic, idempotent sweeps over the database.

APScheduler 3 cannot share a job store between processes, so exactly one scheduler runs per
``serve`` (in the supervising process, whatever the number of workers) or in
``vr-booking worker``. Every sweep claims rows with conditional updates, so a duplicate or
late run (two machines, a restart) does no harm.
"""

import logging
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Engine

from vr_booking.config import Settings
from vr_booking.db import session_scope
from vr_booking.models import utcnow
from vr_booking.services.desk.no_shows import release_no_shows
from vr_booking.services.mail import deliver_outbox
from vr_booking.services.open_access.slots import generate_all_slots
from vr_booking.services.open_access.waitlist import promote_waiting
from vr_booking.services.reports.invitations import invite_to_survey

log = logging.getLogger(__name__)
OUTBOX_EVERY_SECONDS = 30
SLOTS_EVERY_MINUTES = 60


def send_mail(engine: Engine, settings: Settings) -> None:
    sent = deliver_outbox(engine, settings, utcnow())
    if sent:
        log.info("sent %d e-mail(s)", sent)


def extend_slots(engine: Engine, settings: Settings) -> None:
    """Keep every rule's slots generated up to its horizon as the days go by."""
    with session_scope(engine, settings=settings) as session:
        generate_all_slots(session, utcnow().date())


def mark_no_shows(engine: Engine, settings: Settings) -> None:
    """Release the seats of booked visitors who did not come (walk-ins may take them)."""
    with session_scope(engine, settings=settings) as session:
        released = release_no_shows(session, utcnow())
    if released:
        log.info("released %d no-show seat(s)", released)


def fill_freed_seats(engine: Engine, settings: Settings) -> None:
    """Confirm waiting bookings where seats came back (headset repaired, loan ended…)."""
    with session_scope(engine, settings=settings) as session:
        promoted = promote_waiting(session, utcnow())
    if promoted:
        log.info("confirmed %d waiting booking(s)", len(promoted))


def send_survey_invitations(engine: Engine, settings: Settings) -> None:
    """E-mail the survey link to visitors who came, once their session is over."""
    with session_scope(engine, settings=settings) as session:
        queued = invite_to_survey(session, utcnow())
    if queued:
        log.info("queued %d survey e-mail(s)", queued)


def build_scheduler(engine: Engine, settings: Settings, blocking: bool = False) -> BaseScheduler:
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=UTC)
    defaults = {"max_instances": 1, "coalesce": True, "next_run_time": utcnow(),
                "args": [engine, settings]}
    scheduler.add_job(send_mail, "interval", seconds=OUTBOX_EVERY_SECONDS, id="outbox",
                      **defaults)
    scheduler.add_job(extend_slots, "interval", minutes=SLOTS_EVERY_MINUTES, id="slots",
                      **defaults)
    scheduler.add_job(mark_no_shows, "interval", minutes=1, id="no_shows", **defaults)
    scheduler.add_job(fill_freed_seats, "interval", minutes=1, id="waitlist", **defaults)
    scheduler.add_job(send_survey_invitations, "interval", minutes=5, id="survey_invitations",
                      **defaults)
    return scheduler
