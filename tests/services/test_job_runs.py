"""The scheduler records each run for the jobs page, survives a failing sweep, and runs
every job as soon as it starts: what fell due while the application was down goes out
then, once."""

import time as clock
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from factories import slot_at, visitor
from vr_booking.jobs import SWEEPS, build_scheduler, run_all_once, run_job
from vr_booking.models import AuditEvent, JobRun, OutboxMessage, StaffUser, utcnow
from vr_booking.services.mail import MAX_ATTEMPTS
from vr_booking.services.notify.job_runs import job_statuses, outbox_summary, retry_message
from vr_booking.services.notify.schedule import JOBS_BY_ID, PERIODIC_JOBS
from vr_booking.services.timeutil import local_date, local_to_utc

SCHEDULER_TIMEOUT_S = 30


def runs(db: Session) -> dict[str, JobRun]:
    db.commit()
    return {r.job_id: r for r in db.exec(
        select(JobRun).execution_options(populate_existing=True)).all()}


def test_every_periodic_job_has_a_sweep():
    assert set(SWEEPS) == set(JOBS_BY_ID)


def test_a_run_is_recorded_with_its_rows_and_next_run(db, engine, settings, time_machine):
    at = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
    time_machine.move_to(at, tick=False)
    assert run_all_once(engine, settings)["reminders"] == 0
    recorded = runs(db)
    assert set(recorded) == set(JOBS_BY_ID)
    assert all(r.last_ok and r.runs == 1 and r.last_error == "" for r in recorded.values())
    statuses = {s.job.id: s for s in job_statuses(db, at)}
    assert statuses["outbox"].next_run_at == at + timedelta(seconds=30)
    assert statuses["retention"].next_run_at == at + timedelta(hours=1)
    assert not any(s.is_late for s in statuses.values())
    late = {s.job.id for s in job_statuses(db, at + timedelta(minutes=10)) if s.is_late}
    assert late == {j.id for j in PERIODIC_JOBS if j.every < timedelta(minutes=8)}


def test_a_failing_sweep_is_recorded_and_the_next_run_tries_again(db, engine, settings,
                                                                  monkeypatch):
    def broken(_engine, _settings):
        raise RuntimeError("the mail server's certificate expired")

    monkeypatch.setitem(SWEEPS, "digest", broken)
    assert run_job(engine, settings, "digest") == 0  # logged and recorded, not raised
    failed = runs(db)["digest"]
    assert not failed.last_ok
    assert failed.last_error == "RuntimeError: the mail server's certificate expired"
    assert failed.last_error_at is not None
    monkeypatch.undo()
    run_job(engine, settings, "digest")
    recovered = runs(db)["digest"]
    assert recovered.last_ok
    assert recovered.runs == 2
    assert recovered.last_error  # the last error stays visible, with its time


def _wait_until(check, what: str) -> None:
    deadline = clock.monotonic() + SCHEDULER_TIMEOUT_S
    while clock.monotonic() < deadline:
        if check():
            return
        clock.sleep(0.2)
    pytest.fail(f"the scheduler did not {what} within {SCHEDULER_TIMEOUT_S} s")


def test_a_restarted_scheduler_sends_what_fell_due_while_it_was_down_once(
        db, engine, settings, make_centre):
    """The real scheduler, on the real clock: a reminder due at midnight, and a restart."""
    settings.reminder_time = time(0, 0)
    centre = make_centre("hub")
    tomorrow = local_date(utcnow(), centre.timezone) + timedelta(days=1)
    slot = slot_at(db, centre, local_to_utc(tomorrow, time(12, 0), centre.timezone))
    visitor(db, slot, "Ana", "ana@example.org", created_at=utcnow() - timedelta(days=3))

    def reminders() -> int:
        db.commit()
        return len(db.exec(select(OutboxMessage)).all())

    def every_job_ran(times: int):
        return lambda: len([r for r in runs(db).values() if r.runs >= times]) == len(SWEEPS)

    for restart in (1, 2):
        scheduler = build_scheduler(engine, settings)
        scheduler.start()
        try:
            _wait_until(every_job_ran(restart), "run every job at its start")
        finally:
            scheduler.shutdown(wait=True)
        assert reminders() == 1


def test_a_failed_message_is_sent_again_from_the_jobs_page(db, make_staff):
    admin: StaffUser = make_staff("admin@example.org", role="admin")
    failed = OutboxMessage(to_address="x@example.org", subject="Hello", body_text="…",
                           attempts=MAX_ATTEMPTS, last_error="550 mailbox unavailable")
    sent = OutboxMessage(to_address="y@example.org", subject="Sent", body_text="…",
                         sent_at=utcnow())
    db.add_all([failed, sent])
    db.commit()
    assert [m.id for m in outbox_summary(db).failed] == [failed.id]
    now = utcnow()
    retry_message(db, admin, failed.id, now)
    retry_message(db, admin, sent.id, now)  # already sent: nothing to do
    db.commit()
    db.refresh(failed)
    assert (failed.attempts, failed.last_error, failed.send_after) == (0, "", now)
    assert outbox_summary(db).failed == []
    events = db.exec(select(AuditEvent.subject_id).where(
        AuditEvent.action == "outbox.retried")).all()
    assert events == [str(failed.id)]
