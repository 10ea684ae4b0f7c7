"""Reserving headsets for group sessions without conflict: each kind of clash is refused with
what holds the headset, and what the database itself refuses."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from factories import (
    MANAGER,
    add_headsets,
    confirmed_bookings,
    fleet_catalogue,
    group_fields,
    lend,
    local_at,
    make_world,
    open_access_slot,
    plan_group,
    reread,
)
from vr_booking.models import (
    Allocation,
    AuditEvent,
    Booking,
    InstalledVideo,
    OutboxMessage,
    SessionKind,
    StaffUser,
    VRSession,
    utcnow,
)
from vr_booking.services.errors import InvalidInput
from vr_booking.services.fleet.state import change_state
from vr_booking.services.groups.allocation import HeadsetsBusy
from vr_booking.services.groups.inputs import GROUP_KINDS, parse_plan
from vr_booking.services.groups.planning import cancel_group_session, update_group_session
from vr_booking.services.open_access.capacity import slot_load
from vr_booking.services.open_access.pool import StrandingConflict

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def world(db: Session, make_centre, make_staff):
    return make_world(db, make_centre, make_staff)


def tags(done) -> list[str]:
    return [h.asset_tag for h in done.headsets]


def refusal(db: Session, world, **fields) -> HeadsetsBusy:
    with pytest.raises(HeadsetsBusy) as refused:
        plan_group(db, world.marseille, **fields)
    db.rollback()
    return refused.value


def test_a_session_gets_free_headsets_holding_most_of_the_planned_videos(db, world):
    catalogue = fleet_catalogue(db)
    nurse = catalogue["videos"][2]
    db.add(InstalledVideo(headset_id=world.headsets[2].id, video_id=nurse.id))
    db.commit()
    done = plan_group(db, world.marseille, headsets=1, job_ids=[catalogue["jobs"][2].id])
    assert tags(done) == ["MRS-VR-03"]
    allocation = db.exec(select(Allocation)).one()
    # The stored range runs to the end of the cleaning after the last round.
    assert (allocation.starts_at, allocation.ends_at) == (
        done.group.starts_at, done.group.ends_at + timedelta(minutes=2))


def test_overlapping_sessions_never_share_a_headset(db, world):
    plan_group(db, world.marseille, title="Atelier industrie", headset_tags=["MRS-VR-01"],
               headsets=None)
    busy = refusal(db, world, start="10:30", end="12:00", headset_tags=["MRS-VR-01"],
                   headsets=None)
    assert busy.code == "headsets_busy"
    [(tag, held_by)] = busy.clashes
    assert tag == "MRS-VR-01"
    assert held_by.startswith("Atelier industrie (")
    assert busy.free == ["MRS-VR-02", "MRS-VR-03"]
    assert busy.extra()["clashes"] == [{"asset_tag": "MRS-VR-01", "held_by": held_by}]


def test_a_count_takes_what_is_free_and_is_refused_when_too_few_are(db, world):
    plan_group(db, world.marseille, headsets=2)
    assert tags(plan_group(db, world.marseille, start="10:00", headsets=1)) == ["MRS-VR-03"]
    busy = refusal(db, world, start="10:00", headsets=1)
    assert [tag for tag, _held in busy.clashes] == ["MRS-VR-01", "MRS-VR-02", "MRS-VR-03"]
    assert busy.free == []


def test_the_cleaning_buffer_keeps_two_sessions_apart(db, world):
    plan_group(db, world.marseille, end="11:30", headsets=3, cleaning_minutes=2)
    busy = refusal(db, world, start="11:31", end="12:30", headsets=1)
    assert len(busy.clashes) == 3
    assert tags(plan_group(db, world.marseille, start="11:32", end="12:30", headsets=3)) == [
        "MRS-VR-01", "MRS-VR-02", "MRS-VR-03"]


def test_a_later_session_must_end_its_own_cleaning_before_the_next_one(db, world):
    plan_group(db, world.marseille, start="10:00", end="11:00", headsets=3)
    refusal(db, world, start="09:00", end="09:59", headsets=1, cleaning_minutes=2)
    assert plan_group(db, world.marseille, start="09:00", end="09:58", headsets=3)


def test_a_forum_takes_its_headsets_away_for_its_transport_time(db, world):
    forum = plan_group(db, world.marseille, kind="external_forum", start="09:00", end="12:00",
                       location="Parc Chanot", transport_minutes=45, headsets=3).group
    allocation = db.exec(select(Allocation)).first()
    assert allocation.starts_at == forum.starts_at - timedelta(minutes=45)
    assert allocation.ends_at == forum.ends_at + timedelta(minutes=45 + 2)
    busy = refusal(db, world, start="12:30", end="13:30", headsets=1)
    assert all(held.startswith("Atelier (") for _tag, held in busy.clashes)
    refusal(db, world, start="08:00", end="08:20", headsets=1)
    # Back and clean (2 min) before the forum's headsets leave at 08:15.
    assert plan_group(db, world.marseille, start="07:00", end="08:13", headsets=3)


def test_open_access_during_a_forums_transport_has_no_headset(db, world):
    slot = open_access_slot(db, world.marseille)  # 14:00–14:20 in two days
    assert slot_load(db, slot).capacity == 3
    plan_group(db, world.marseille, kind="external_forum", days=2, start="14:45", end="17:00",
               location="Parc Chanot", transport_minutes=30, headsets=2)
    assert slot_load(db, reread(db, slot)).capacity == 1


def test_a_headset_lent_away_cannot_be_reserved_at_home(db, world):
    lend(db, world.headsets[0], world.marseille, world.gap, days=5)
    busy = refusal(db, world, headset_tags=["MRS-VR-01"], headsets=None)
    assert busy.clashes == [("MRS-VR-01", "at Centre associé de Gap during this time")]
    assert tags(plan_group(db, world.marseille, headsets=2)) == ["MRS-VR-02", "MRS-VR-03"]


def test_the_borrowing_centre_can_reserve_a_lent_headset(db, world):
    lend(db, world.headsets[0], world.marseille, world.gap, days=5)
    done = plan_group(db, world.gap, headsets=1)
    assert tags(done) == ["MRS-VR-01"]


def test_a_headset_out_of_service_cannot_be_reserved(db, world):
    staff = db.exec(select(StaffUser).where(StaffUser.email == MANAGER)).one()
    change_state(db, world.headsets[1], "maintenance", "screen cracked", staff, utcnow())
    db.commit()
    busy = refusal(db, world, headset_tags=["MRS-VR-02"], headsets=None)
    assert busy.clashes == [("MRS-VR-02", "out of service (Maintenance)")]
    assert busy.free == ["MRS-VR-01", "MRS-VR-03"]


def test_the_nearest_window_that_fits_is_offered(db, world):
    plan_group(db, world.marseille, start="09:30", end="11:30", headsets=3)
    busy = refusal(db, world, start="10:00", end="11:00", headsets=2)
    assert busy.nearest.starts_at == local_at(world.marseille, 3, "11:45")  # after 11:32
    assert busy.nearest.ends_at == local_at(world.marseille, 3, "12:45")
    assert busy.extra()["nearest_window"]["starts_at"] == busy.nearest.starts_at.isoformat()


def test_reserving_during_open_access_is_refused_when_confirmed_bookings_would_not_fit(
        db, world):
    slot = open_access_slot(db, world.marseille)  # 3 seats
    bookings = confirmed_bookings(db, slot, 2)
    with pytest.raises(StrandingConflict) as refused:
        plan_group(db, world.marseille, days=2, start="14:00", end="15:00", headsets=2)
    db.rollback()
    assert "2 confirmed bookings for 1 seats" in refused.value.clashes[0]
    assert db.exec(select(VRSession).where(VRSession.kind != "open_access")).all() == []
    done = plan_group(db, world.marseille, days=2, start="14:00", end="15:00", headsets=2,
                      confirmed=True)
    assert [b.id for b in done.moved] == [bookings[1].id]  # the newest goes back to waiting
    assert reread(db, bookings[1]).status == "waitlisted"
    assert reread(db, bookings[0]).status == "confirmed"


def test_the_visitors_moved_to_the_waiting_list_are_told_by_email(db, world):
    slot = open_access_slot(db, world.marseille)
    for booking in confirmed_bookings(db, slot, 3):
        booking.email = f"v{booking.id}@example.org"
        db.add(booking)
    db.commit()
    plan_group(db, world.marseille, days=2, start="14:00", end="15:00", headsets=1,
               confirmed=True)
    assert db.exec(select(OutboxMessage.to_address)).all() == ["v3@example.org"]


def test_reserving_when_confirmed_bookings_still_fit_lowers_capacity_quietly(db, world):
    slot = open_access_slot(db, world.marseille)
    confirmed_bookings(db, slot, 1)
    assert plan_group(db, world.marseille, days=2, start="14:00", end="15:00", headsets=2)
    assert slot_load(db, reread(db, slot)).capacity == 1


def test_cancelling_frees_the_headsets_and_promotes_the_waiting_list(db, world):
    slot = open_access_slot(db, world.marseille)
    bookings = confirmed_bookings(db, slot, 3)
    done = plan_group(db, world.marseille, days=2, start="14:00", end="15:00", headsets=1,
                      confirmed=True)
    assert reread(db, bookings[2]).status == "waitlisted"
    cancel_group_session(db, None, done.group, utcnow())
    db.commit()
    assert db.exec(select(Allocation)).all() == []
    assert reread(db, bookings[2]).status == "confirmed"
    assert tags(plan_group(db, world.marseille, days=2, start="14:30", end="15:30",
                           headsets=3, confirmed=True)) == ["MRS-VR-01", "MRS-VR-02",
                                                            "MRS-VR-03"]


def test_an_edit_keeps_the_headsets_it_held_when_they_are_still_free(db, world):
    add_headsets(db, world.marseille, 2, prefix="MRS-XR-")
    done = plan_group(db, world.marseille, headset_tags=["MRS-VR-03", "MRS-XR-01"],
                      headsets=None)
    moved = update_group_session(db, None, done.group, {
        "starts_at": local_at(world.marseille, 4, "09:30"),
        "ends_at": local_at(world.marseille, 4, "11:30")}, utcnow())
    db.commit()
    assert sorted(tags(moved)) == ["MRS-VR-03", "MRS-XR-01"]
    assert len(db.exec(select(Allocation)).all()) == 2


def test_an_edit_that_no_longer_fits_changes_nothing(db, world):
    first = plan_group(db, world.marseille, headsets=2).group  # 09:30–11:30
    other = plan_group(db, world.marseille, start="12:00", end="13:00", headsets=2).group
    with pytest.raises(HeadsetsBusy):
        update_group_session(db, None, other, {
            "starts_at": local_at(world.marseille, 3, "11:00"),
            "ends_at": local_at(world.marseille, 3, "12:00")}, utcnow())
    db.rollback()
    assert reread(db, other).starts_at == local_at(world.marseille, 3, "12:00")
    assert len(db.exec(select(Allocation).where(Allocation.session_id == first.id)).all()) == 2


def test_planning_editing_and_cancelling_leave_audit_rows(db, world):
    manager = db.exec(select(StaffUser).where(StaffUser.email == MANAGER)).one()
    group = plan_group(db, world.marseille, actor=manager).group
    update_group_session(db, manager, group, {"title": "Atelier numérique"}, utcnow())
    cancel_group_session(db, manager, group, utcnow())
    db.commit()
    events = db.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert [e.action for e in events] == ["group_session.created", "group_session.updated",
                                          "group_session.cancelled"]
    assert {(e.actor_id, e.subject_id, e.centre_id) for e in events} == {
        (manager.id, str(group.id), world.marseille.id)}
    assert "changed: title" in events[1].summary


def test_a_session_in_the_past_cannot_be_planned(db, world):
    with pytest.raises(InvalidInput, match="must start in the future"):
        plan_group(db, world.marseille, days=-1)


def test_the_database_refuses_overlapping_allocations_of_a_headset(db, world):
    group = plan_group(db, world.marseille, headsets=1).group
    allocation = db.exec(select(Allocation)).one()
    db.add(Allocation(headset_id=allocation.headset_id, session_id=group.id,
                      starts_at=allocation.ends_at - timedelta(minutes=1),
                      ends_at=allocation.ends_at + timedelta(hours=1)))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    db.add(Allocation(headset_id=allocation.headset_id, session_id=group.id,
                      starts_at=allocation.ends_at,
                      ends_at=allocation.ends_at + timedelta(hours=1)))
    db.commit()  # touching ranges do not overlap: [start, end)
    assert len(db.exec(select(Allocation)).all()) == 2


def test_the_database_refuses_moving_an_allocation_onto_another(db, world):
    plan_group(db, world.marseille, headset_tags=["MRS-VR-01"], headsets=None)
    plan_group(db, world.marseille, days=4, headset_tags=["MRS-VR-01"], headsets=None)
    first, second = db.exec(select(Allocation).order_by(col(Allocation.starts_at))).all()
    second.starts_at, second.ends_at = first.starts_at, first.ends_at
    db.add(second)
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_a_refused_plan_writes_nothing(db, world):
    plan_group(db, world.marseille, headsets=3)
    refusal(db, world, start="10:00", headsets=1)
    assert len(db.exec(select(VRSession)).all()) == 1
    assert db.exec(select(Booking)).all() == []


def test_the_plan_checks_its_fields_before_the_database(db, world):
    with pytest.raises(InvalidInput) as refused:
        parse_plan(group_fields(world.marseille, kind="open_access", group_size=-1))
    assert set(refused.value.fields) == {"kind", "group_size"}


def test_every_session_kind_but_open_access_can_be_planned():
    assert set(GROUP_KINDS) == {k.value for k in SessionKind} - {"open_access"}
