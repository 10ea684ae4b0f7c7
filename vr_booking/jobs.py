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
from vr_booking.services.mail import deliver_outbox
from vr_booking.services.slots import generate_all_slots

log = logging.getLogger(__name__)
OUTBOX_EVERY_SECONDS = 30
SLOTS_EVERY_MINUTES = 60


def send_mail(engine: Engine, settings: Settings) -> None:
    sent = deliver_outbox(engine, settings, utcnow())
    if sent:
        log.info("sent %d e-mail(s)", sent)


def extend_slots(engine: Engine, settings: Settings) -> None:
    """Keep every rule's slots generated up to its horizon as the days go by."""
    with session_scope(engine) as session:
        session.info["settings"] = settings
        generate_all_slots(session, utcnow().date())


def build_scheduler(engine: Engine, settings: Settings, blocking: bool = False) -> BaseScheduler:
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=UTC)
    defaults = {"max_instances": 1, "coalesce": True, "next_run_time": utcnow(),
                "args": [engine, settings]}
    scheduler.add_job(send_mail, "interval", seconds=OUTBOX_EVERY_SECONDS, id="outbox",
                      **defaults)
    scheduler.add_job(extend_slots, "interval", minutes=SLOTS_EVERY_MINUTES, id="slots",
                      **defaults)
    return scheduler
