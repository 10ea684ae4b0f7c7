"""Who sees which centre, and the audit trail that records what staff did."""

from sqlmodel import Session, select

from factories import FACILITATOR, GAP_FACILITATOR, MANAGER, make_world
from vr_booking.models import AuditEvent, StaffUser
from vr_booking.services.access import can_manage, sees_centre, visible_centre_ids
from vr_booking.services.audit import record


def staff(db: Session, email: str) -> StaffUser:
    return db.exec(select(StaffUser).where(StaffUser.email == email)).one()


def test_a_hub_manager_sees_and_manages_the_associated_centres_it_leads(
        db, make_centre, make_staff):
    world = make_world(db, make_centre, make_staff)
    other_hub = make_centre("lyon", kind="hub")
    manager = staff(db, MANAGER)
    assert visible_centre_ids(db, manager) == {world.marseille.id, world.gap.id}
    assert can_manage(db, manager, world.gap.id)
    assert not can_manage(db, manager, other_hub.id)


def test_facilitators_and_associated_managers_see_only_their_own_centres(
        db, make_centre, make_staff):
    world = make_world(db, make_centre, make_staff)
    gap_manager = make_staff("gap.manager@example.org", role="manager", centres=("gap",))
    assert visible_centre_ids(db, staff(db, FACILITATOR)) == {world.marseille.id}
    assert visible_centre_ids(db, staff(db, GAP_FACILITATOR)) == {world.gap.id}
    assert visible_centre_ids(db, gap_manager) == {world.gap.id}


def test_one_centre_is_seen_by_whom_the_centre_ids_say(db, make_centre, make_staff):
    world = make_world(db, make_centre, make_staff)
    other_hub = make_centre("lyon", kind="hub")
    admin = make_staff("admin@example.org", role="admin", centres=())
    for user in (admin, staff(db, MANAGER), staff(db, FACILITATOR), staff(db, GAP_FACILITATOR)):
        for centre in (world.marseille, world.gap, other_hub):
            assert sees_centre(db, user, centre.id) == (centre.id in visible_centre_ids(db, user))


def test_an_audit_row_commits_or_rolls_back_with_its_change(db, make_centre, make_staff):
    world = make_world(db, make_centre, make_staff)
    manager = staff(db, MANAGER)
    record(db, manager, "centre.updated", centre_id=world.gap.id, subject_type="centre",
           subject_id="gap", summary="name changed")
    db.rollback()
    assert db.exec(select(AuditEvent)).all() == []
    record(db, manager, "centre.updated", centre_id=world.gap.id, subject_type="centre",
           subject_id="gap", summary="name changed")
    db.commit()
    [row] = db.exec(select(AuditEvent)).all()
    assert (row.actor_id, row.actor_label, row.action, row.subject_id) == (
        manager.id, MANAGER, "centre.updated", "gap")
