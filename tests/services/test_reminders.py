"""Visitors' reminders: the day before, at the reminder time in the centre's zone, once.

Sweeps run as the scheduler runs them (``vr_booking.jobs``), on a clock moved by
time-machine; the delivery test hands them to a real SMTP server (aiosmtpd).
"""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from factories import slot_at, visitor
from vr_booking.jobs import remind_visitors, send_mail
from vr_booking.models import OutboxMessage

# Wednesday 13 January 2027, 14:00 in Paris (CET, UTC+1).
SLOT_AT = datetime(2027, 1, 13, 13, 0, tzinfo=UTC)
DUE_AT = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Paris
EARLIER = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)  # when the bookings are made
REMINDER_SUBJECT = "Reminder: your VR session is tomorrow"


def reminders(db: Session) -> list[OutboxMessage]:
    db.commit()
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.subject == REMINDER_SUBJECT)
                        .order_by(OutboxMessage.id)).all())


@pytest.fixture
def hub(make_centre):
    return make_centre("hub", name="Cité des métiers")


def test_reminder_leaves_at_ten_local_the_day_before_and_once(db, engine, settings, hub,
                                                              time_machine):
    time_machine.move_to(EARLIER, tick=False)
    ana = visitor(db, slot_at(db, hub, SLOT_AT), "Ana", "ana@example.org")
    time_machine.move_to(DUE_AT - timedelta(minutes=1), tick=False)
    assert remind_visitors(engine, settings) == 0
    time_machine.move_to(DUE_AT, tick=False)
    assert remind_visitors(engine, settings) == 1
    assert remind_visitors(engine, settings) == 0  # run twice: one reminder
    [reminder] = reminders(db)
    assert (reminder.to_address, reminder.booking_id) == ("ana@example.org", ana.id)


def test_reminder_time_is_a_setting(db, engine, settings, hub, time_machine):
    settings.reminder_time = time(17, 30)
    time_machine.move_to(EARLIER, tick=False)
    visitor(db, slot_at(db, hub, SLOT_AT), "Ana", "ana@example.org")
    time_machine.move_to(datetime(2027, 1, 12, 16, 29, tzinfo=UTC), tick=False)
    assert remind_visitors(engine, settings) == 0
    time_machine.move_to(datetime(2027, 1, 12, 16, 30, tzinfo=UTC), tick=False)
    assert remind_visitors(engine, settings) == 1


@pytest.mark.parametrize(("slot_at_utc", "due_at_utc"), [
    # Spring: Paris goes to UTC+2 on Sunday 28 March 2027. A Monday 14:00 session (12:00 UTC)
    # is reminded on the Sunday at 10:00 CEST = 08:00 UTC, not 09:00 UTC.
    (datetime(2027, 3, 29, 12, 0, tzinfo=UTC), datetime(2027, 3, 28, 8, 0, tzinfo=UTC)),
    # Autumn: Paris goes back to UTC+1 on Sunday 25 October 2026. A Sunday 14:00 session
    # (13:00 UTC) is reminded on the Saturday at 10:00 CEST = 08:00 UTC, not 09:00 UTC.
    (datetime(2026, 10, 25, 13, 0, tzinfo=UTC), datetime(2026, 10, 24, 8, 0, tzinfo=UTC)),
])
def test_the_day_before_is_local_across_a_daylight_saving_change(
        db, engine, settings, hub, time_machine, slot_at_utc, due_at_utc):
    time_machine.move_to(slot_at_utc - timedelta(days=10), tick=False)
    visitor(db, slot_at(db, hub, slot_at_utc), "Ana", "ana@example.org")
    time_machine.move_to(due_at_utc - timedelta(seconds=1), tick=False)
    assert remind_visitors(engine, settings) == 0
    time_machine.move_to(due_at_utc, tick=False)
    assert remind_visitors(engine, settings) == 1


def test_no_reminder_for_a_late_booking_a_cancelled_one_or_without_email(
        db, engine, settings, hub, time_machine):
    time_machine.move_to(EARLIER, tick=False)
    slot = slot_at(db, hub, SLOT_AT)
    visitor(db, slot, "Cancelled", "c@example.org", status="cancelled")
    visitor(db, slot, "Waiting", "w@example.org", status="waitlisted")
    visitor(db, slot, "Anonymous")
    ana = visitor(db, slot, "Ana", "ana@example.org")
    time_machine.move_to(DUE_AT + timedelta(minutes=5), tick=False)
    visitor(db, slot, "Late", "late@example.org")  # booked after 10:00 the day before
    assert remind_visitors(engine, settings) == 1
    assert [r.booking_id for r in reminders(db)] == [ana.id]


def test_a_reminder_due_while_the_app_was_down_leaves_once_after(db, engine, settings, hub,
                                                                 time_machine):
    time_machine.move_to(EARLIER, tick=False)
    visitor(db, slot_at(db, hub, SLOT_AT), "Ana", "ana@example.org")
    # Down from before 10:00 until 16:00: no sweep ran at the reminder's time.
    time_machine.move_to(DUE_AT + timedelta(hours=6), tick=False)
    assert remind_visitors(engine, settings) == 1
    time_machine.move_to(DUE_AT + timedelta(hours=6, minutes=1), tick=False)
    assert remind_visitors(engine, settings) == 0  # the next run: nothing more
    assert len(reminders(db)) == 1


def test_no_reminder_once_the_session_has_started(db, engine, settings, hub, time_machine):
    time_machine.move_to(EARLIER, tick=False)
    visitor(db, slot_at(db, hub, SLOT_AT), "Ana", "ana@example.org")
    time_machine.move_to(SLOT_AT + timedelta(minutes=1), tick=False)  # down until then
    assert remind_visitors(engine, settings) == 0


def test_a_booking_moved_to_another_session_is_reminded_of_that_one(
        db, engine, settings, hub, time_machine):
    time_machine.move_to(EARLIER, tick=False)
    first = slot_at(db, hub, SLOT_AT)
    later = slot_at(db, hub, SLOT_AT + timedelta(days=7))
    ana = visitor(db, first, "Ana", "ana@example.org")
    time_machine.move_to(DUE_AT, tick=False)
    assert remind_visitors(engine, settings) == 1
    ana.session_id = later.id
    db.add(ana)
    db.commit()
    time_machine.move_to(DUE_AT + timedelta(days=7), tick=False)
    assert remind_visitors(engine, settings) == 1
    assert remind_visitors(engine, settings) == 0


def test_a_real_smtp_server_receives_the_reminder_with_link_cancel_and_health_notes(
        db, engine, settings, hub, time_machine, smtp_inbox):
    time_machine.move_to(EARLIER, tick=False)
    ana = visitor(db, slot_at(db, hub, SLOT_AT), "Ana", "ana@example.org")
    zoe = visitor(db, slot_at(db, hub, SLOT_AT + timedelta(hours=1)), "Zoé", "zoe@example.org",
                  language="fr")
    time_machine.move_to(DUE_AT, tick=False)
    remind_visitors(engine, settings)
    assert send_mail(engine, settings) == 2
    remind_visitors(engine, settings)
    assert send_mail(engine, settings) == 0  # nothing twice
    by_address = {m["To"]: m for m in smtp_inbox.messages}
    assert set(by_address) == {"ana@example.org", "zoe@example.org"}
    english = by_address["ana@example.org"]
    assert english["Subject"] == REMINDER_SUBJECT
    body = english.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert f"http://testserver/b/{ana.token}\n" in body  # the ticket
    assert f"http://testserver/b/{ana.token}/decline" in body  # how to cancel, one click
    assert "epilepsy" in body
    assert "motion sickness" in body
    assert "When: Wednesday, January 13, 2027, 2:00" in body  # local time, in English
    french = by_address["zoe@example.org"]
    assert french["Subject"] == "Rappel : votre séance de réalité virtuelle a lieu demain"
    assert f"/b/{zoe.token}/decline" in french.get_body(("plain",)).get_content()
