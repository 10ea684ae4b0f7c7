"""The close gate (field rule 9): a session closes only with its debriefing, the videos
watched and the attendance; then its counts are there for the reports."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from factories import (
    FACILITATOR,
    charge,
    confirmed_bookings,
    fleet_catalogue,
    make_world,
    open_access_slot,
    plan_group,
    reread,
)
from vr_booking.models import Allocation, AuditEvent, Participant, SessionVideo, StaffUser
from vr_booking.services.desk.checkin import check_in_group
from vr_booking.services.desk.handout import hand_out
from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.groups.closing import close_group_session

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def world(db: Session, make_centre, make_staff):
    return make_world(db, make_centre, make_staff)


@pytest.fixture
def staff(db: Session, world) -> StaffUser:
    return db.exec(select(StaffUser).where(StaffUser.email == FACILITATOR)).one()


@pytest.fixture
def visit(db: Session, world):
    catalogue = fleet_catalogue(db)
    done = plan_group(db, world.marseille, job_ids=[j.id for j in catalogue["jobs"][:2]])
    return done.group, catalogue["videos"]


def close(db, staff, group, now, **fields):
    values = {"debrief": "Good questions about welding.", "videos_watched": [],
              "attendance": 7, **fields}
    return close_group_session(db, staff, group, now, **values)


def test_a_session_without_a_debriefing_cannot_be_closed(db, staff, visit):
    group, _videos = visit
    with pytest.raises(Conflict) as refused:
        close(db, staff, group, group.starts_at + timedelta(hours=1), debrief="   ")
    assert refused.value.code == "debrief_required"
    db.rollback()
    assert reread(db, group).status == "planned"


def test_a_session_without_its_attendance_cannot_be_closed(db, staff, visit):
    group, _videos = visit
    with pytest.raises(Conflict) as refused:
        close(db, staff, group, group.starts_at + timedelta(hours=1), attendance=None)
    assert refused.value.code == "attendance_required"


def test_the_videos_watched_must_be_said(db, staff, visit):
    group, _videos = visit
    with pytest.raises(InvalidInput) as refused:
        close(db, staff, group, group.starts_at + timedelta(hours=1), videos_watched=None)
    assert set(refused.value.fields) == {"videos_watched"}


def test_a_session_that_has_not_started_cannot_be_closed(db, staff, visit):
    group, _videos = visit
    with pytest.raises(Conflict) as refused:
        close(db, staff, group, group.starts_at - timedelta(minutes=1))
    assert refused.value.code == "not_started"


def test_headsets_still_worn_must_come_back_first(db, world, staff, visit):
    group, _videos = visit
    now = group.starts_at + timedelta(minutes=5)
    charge(db, world.headsets, 100, now - timedelta(hours=1))
    check_in_group(db, staff, group.id, now, present=2)
    participant_id = db.exec(select(Participant.id)).first()
    hand_out(db, staff, now, "MRS-VR-01", participant_id=participant_id)
    db.commit()
    with pytest.raises(Conflict) as refused:
        close(db, staff, group, now + timedelta(minutes=30))
    assert refused.value.code == "headsets_still_out"
    assert "MRS-VR-01" in refused.value.message


def test_closing_records_the_counts_for_the_reports(db, world, staff, visit):
    group, videos = visit
    now = group.starts_at + timedelta(hours=1)
    close(db, staff, group, now, videos_watched=[videos[0].id, videos[2].id], attendance=7)
    db.commit()
    group = reread(db, group)
    assert (group.status, group.attendance, group.debriefed_at) == ("closed", 7, now)
    watched = dict(db.exec(select(SessionVideo.video_id, SessionVideo.watched)).all())
    assert watched == {videos[0].id: True, videos[1].id: False, videos[2].id: True}
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "group_session.closed")).one()
    assert (event.actor_id, event.subject_id) == (staff.id, str(group.id))
    with pytest.raises(Conflict) as again:
        close(db, staff, group, now)
    assert again.value.code == "already_closed"


def test_closing_early_gives_the_headsets_back_to_open_access(db, world, staff):
    slot = open_access_slot(db, world.marseille)  # in two days, 14:00–14:20
    bookings = confirmed_bookings(db, slot, 3)
    group = plan_group(db, world.marseille, days=2, start="13:00", end="15:00", headsets=1,
                       confirmed=True).group
    assert reread(db, bookings[2]).status == "waitlisted"
    close(db, staff, group, group.starts_at + timedelta(minutes=30))
    db.commit()
    [allocation] = db.exec(select(Allocation)).all()
    assert allocation.ends_at == group.starts_at + timedelta(minutes=32)
    # The seat comes back half an hour before the slot, inside the offer window: it is
    # offered to the first person waiting (a time-limited hold), not given outright.
    assert reread(db, bookings[2]).status == "offered"
