"""The busy desk day that the live-server tests share (pages, browser walks) can be made at
any hour of the centre's day: those servers run on the real clock, so it cannot be moved
for them. Just after midnight its slot starts at midnight, not yesterday."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from factories import busy_desk_day
from vr_booking.models import Booking, HeadsetUse, utcnow
from vr_booking.services.demo import load_demo_data
from vr_booking.services.timeutil import to_local

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize("at", [time(0, 2), time(12, 0), time(23, 58)])
def test_a_busy_desk_day_can_be_made_at_any_hour(db, make_staff, time_machine, at):
    time_machine.move_to(datetime.combine(date(2026, 12, 8), at, tzinfo=PARIS), tick=False)
    load_demo_data(db, date.today())
    db.commit()
    desk = busy_desk_day(db, make_staff("desk@example.org", centres=("marseille",)))
    slot = desk["slot"]
    assert to_local(slot.starts_at, "Europe/Paris").date() == date(2026, 12, 8)
    assert slot.starts_at <= utcnow() < slot.ends_at
    checked_in = db.exec(select(Booking.name).where(Booking.session_id == slot.id,
                                                    Booking.status == "checked_in")).all()
    assert sorted(checked_in) == ["Ana", "Bilal", "Chloé"]
    worn = db.exec(select(HeadsetUse).where(HeadsetUse.returned_at.is_(None))).all()
    assert len(worn) == 1
