"""The fleet's rules (services): the charge estimate and its margin, when a headset needs
cleaning, and which booked jobs lack a video on the centre's headsets.

The fleet's pages are tested in ``web/test_fleet_pages.py``.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from factories import (
    World,
    a_booking,
    fleet_catalogue,
    lend,
    make_world,
    open_access_slot,
    workshop,
)
from vr_booking.models import HeadsetUse, InstalledVideo, VideoJob, utcnow
from vr_booking.services.fleet import content as fleet_content
from vr_booking.services.fleet import detail as fleet_history
from vr_booking.services.fleet import inventory as fleet
from vr_booking.services.fleet.charge import Battery, estimate_charge, estimate_remaining_minutes
from vr_booking.services.open_access.capacity import slot_load


@pytest.fixture
def world(db: Session, make_centre, make_staff) -> World:
    return make_world(db, make_centre, make_staff)


# --- charge estimate (pure) -----------------------------------------------------------------

def test_estimate_draws_the_recorded_level_down_by_the_time_worn():
    now = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    recorded = now - timedelta(hours=2)
    uses = [
        (recorded - timedelta(minutes=30), recorded - timedelta(minutes=5)),  # before: ignored
        (recorded + timedelta(minutes=10), recorded + timedelta(minutes=30)),  # 20 min
        (now - timedelta(minutes=10), None),  # still worn: 10 min until now
    ]
    assert estimate_remaining_minutes(50, recorded, uses, now, full_minutes=120) == 30
    assert estimate_remaining_minutes(None, None, uses, now, full_minutes=120) is None
    assert estimate_remaining_minutes(10, recorded, uses, now, full_minutes=120) == 0


def test_fits_keeps_the_margin_and_never_trusts_an_unknown_charge():
    now = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    battery = Battery(full_minutes=120, recharge_minutes=150, margin_minutes=15)
    half = estimate_charge(50, now, [], now, battery)
    assert (half.percent, half.minutes_left, half.minutes_to_full) == (50, 60, 75)
    assert half.fits(45)
    assert not half.fits(46)
    unknown = estimate_charge(None, None, [], now, battery)
    assert not unknown.is_known
    assert not unknown.fits(1)
    assert unknown.minutes_to_full is None


def test_next_use_fits_uses_the_running_use_and_the_margin(db, world):
    headset = world.headsets[0]
    vr_session = workshop(db, world.marseille, headset, timedelta(days=1), minutes=60)
    headset.charge_percent, headset.charge_recorded_at = 100, utcnow() - timedelta(hours=1)
    db.add(headset)
    db.add(HeadsetUse(headset_id=headset.id, session_id=vr_session.id, participant_id=None,
                      booking_id=a_booking(db, world).id,
                      started_at=utcnow() - timedelta(minutes=50)))
    db.commit()
    row = fleet_history.headset_summary(db, headset, utcnow(), Battery())
    assert row.in_use
    assert 68 <= row.charge.minutes_left <= 70  # 120 - 50 worn (and counting)
    assert not row.next_use_fits  # 60 + 15 > ~70


# --- cleaning -------------------------------------------------------------------------------

def test_needs_cleaning_rule():
    earlier, later = datetime(2026, 1, 1, 10, tzinfo=UTC), datetime(2026, 1, 1, 11, tzinfo=UTC)
    assert not fleet.needs_cleaning(False, None, None)  # never used
    assert fleet.needs_cleaning(False, later, None)
    assert fleet.needs_cleaning(False, later, earlier)  # cleaned before the last return
    assert not fleet.needs_cleaning(False, earlier, later)
    assert not fleet.needs_cleaning(True, later, None)  # being worn right now


# --- installed content ----------------------------------------------------------------------

def test_missing_videos_for_jobs_counts_only_in_service_headsets_at_the_centre(db, world):
    jobs = fleet_catalogue(db)["jobs"]
    welder_video, baker_video, nurse_video = (
        db.exec(select(VideoJob.video_id).where(VideoJob.job_id == j.id)).one() for j in jobs)
    first, second, third = world.headsets
    second.service_state = "maintenance"
    db.add(second)
    db.add(InstalledVideo(headset_id=first.id, video_id=welder_video))
    db.add(InstalledVideo(headset_id=second.id, video_id=baker_video))  # out of service
    db.add(InstalledVideo(headset_id=third.id, video_id=nurse_video))
    db.commit()
    missing = fleet_content.missing_videos_for_jobs(db, world.marseille, [j.id for j in jobs])
    assert [j.slug for j in missing] == ["boulanger"]

    lend(db, third, world.marseille, world.gap)  # the nurse video leaves with it
    missing = fleet_content.missing_videos_for_jobs(db, world.marseille, [j.id for j in jobs])
    assert [j.slug for j in missing] == ["boulanger", "infirmier"]
    at_gap = fleet_content.missing_videos_for_jobs(db, world.gap, [j.id for j in jobs])
    assert [j.slug for j in at_gap] == ["boulanger", "soudeur"]


def test_seats_count_the_headsets_lent_here_that_are_usable(db: Session, world: World):
    """Capacity places headsets for many slots at once and keeps only usable ones: a
    headset lent here but out of service adds no seat (and breaks nothing)."""
    lent, broken, _home = world.headsets
    lend(db, lent, world.marseille, world.gap, days=4)
    lend(db, broken, world.marseille, world.gap, days=4)
    broken.service_state = "maintenance"
    db.add(broken)
    db.commit()
    assert slot_load(db, open_access_slot(db, world.gap)).headsets == 1
    assert slot_load(db, open_access_slot(db, world.marseille)).headsets == 1
