"""The periodic jobs: their ids, periods and labels, defined once.

``vr_booking.jobs`` binds each id to its sweep and schedules it; the admins' jobs page reads
the periods from here to say when each job runs next.
"""

from dataclasses import dataclass
from datetime import timedelta

from vr_booking.labels import N_


@dataclass(frozen=True)
class PeriodicJob:
    id: str
    every: timedelta
    label: str  # translate at display time
    claim: str  # what makes a duplicate run harmless (shown on the jobs page)


PERIODIC_JOBS = (
    PeriodicJob("outbox", timedelta(seconds=30), N_("E-mail delivery"),
                N_("each message is claimed before it is sent")),
    PeriodicJob("slots", timedelta(hours=1), N_("Open-access slot generation"),
                N_("existing slots are never created twice")),
    PeriodicJob("no_shows", timedelta(minutes=1), N_("No-show release"),
                N_("only still-confirmed bookings change")),
    PeriodicJob("waitlist", timedelta(minutes=1), N_("Waiting-list promotion"),
                N_("seats are counted under the centre lock")),
    PeriodicJob("offers", timedelta(minutes=1), N_("Lapsed waiting-list offers"),
                N_("only offers still open change")),
    PeriodicJob("reminders", timedelta(minutes=1), N_("Visitors' reminders"),
                N_("one sent-notice row per booking and session")),
    PeriodicJob("digest", timedelta(minutes=5), N_("Facilitators' evening digest"),
                N_("one sent-notice row per centre and day")),
    PeriodicJob("loans", timedelta(minutes=5), N_("Loan return reminders and overdue loans"),
                N_("one sent-notice row per loan and end date; only active loans turn overdue")),
    PeriodicJob("retention", timedelta(hours=1), N_("Erasing expired personal data"),
                N_("only rows not yet erased change")),
    PeriodicJob("security_records", timedelta(hours=1),
                N_("Forgetting ended staff sessions and old rate counters"),
                N_("only rows past their end are deleted")),
    PeriodicJob("survey_invitations", timedelta(minutes=5), N_("Exit-survey e-mails"),
                N_("each booking is claimed once (survey_invited_at)")),
)
JOBS_BY_ID = {job.id: job for job in PERIODIC_JOBS}
