"""The audit rows the existing actions write, in the same transaction: headset states,
open-access rules and closures, catalogue edits and imports, confirmed waiting-list moves;
none when the action is refused, and never a visitor's name or e-mail."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from factories import (
    FACILITATOR,
    MANAGER,
    World,
    confirmed_bookings,
    make_world,
    open_access_slot,
)
from vr_booking.models import AuditEvent, Closure, Sector, StaffUser, utcnow
from vr_booking.services.catalogue import edits
from vr_booking.services.catalogue.csv_columns import COLUMNS
from vr_booking.services.catalogue.csv_import import import_catalogue
from vr_booking.services.errors import DomainError
from vr_booking.services.fleet.state import change_state
from vr_booking.services.open_access.rules import (
    RuleInput,
    add_closure,
    remove_closure,
    save_rule,
)

CSV = ",".join(COLUMNS) + "\nindustrie,Industrie,soudeur,Soudeur,H2913,soudure,Il soude.," \
    "atelier,Dans un atelier,Découpe.,450,fr,16,non,CC BY,Démo\n"


@pytest.fixture
def world(db: Session, make_centre, make_staff) -> World:
    return make_world(db, make_centre, make_staff)


def _staff(db: Session, email: str) -> StaffUser:
    return db.exec(select(StaffUser).where(StaffUser.email == email)).one()


def _rows(db: Session) -> list[AuditEvent]:
    db.commit()
    return list(db.exec(select(AuditEvent).order_by(AuditEvent.id)))


def test_a_headset_state_change_is_recorded_with_its_actor(db, world):
    manager = _staff(db, MANAGER)
    change_state(db, world.headsets[0], "maintenance", "Écran fissuré", manager, utcnow())
    [row] = _rows(db)
    assert (row.action, row.actor_label, row.centre_id) == (
        "headset.state_changed", MANAGER, world.marseille.id)
    assert (row.subject_id, row.summary) == ("MRS-VR-01", "in_service → maintenance")


def test_a_refused_state_change_leaves_no_row_and_a_confirmed_move_is_recorded(db, world):
    slot = open_access_slot(db, world.marseille)
    bookings = confirmed_bookings(db, slot, 3)  # every seat taken
    manager = _staff(db, MANAGER)
    with pytest.raises(DomainError):
        change_state(db, world.headsets[0], "maintenance", "Panne", manager, utcnow())
    db.rollback()
    assert _rows(db) == []
    change_state(db, db.merge(world.headsets[0]), "maintenance", "Panne", manager, utcnow(),
                 confirmed=True, notify=lambda *_args: None)
    rows = _rows(db)
    assert [r.action for r in rows] == ["headset.state_changed", "waitlist.moved"]
    assert rows[1].summary == f"bookings #{bookings[-1].id} moved to the waiting list"
    assert all("Visitor" not in r.summary for r in rows)  # never a visitor's name


def test_rules_closures_and_reopening_are_recorded(db, world):
    manager = _staff(db, MANAGER)
    now = utcnow()
    rule = RuleInput(weekday=2, start_time="14:00", end_time="16:00", seat_minutes=20,
                     buffer_minutes=2, horizon_weeks=2, walk_in_reserve=0)
    save_rule(db, world.marseille, None, rule, now, manager)
    day = (now + timedelta(days=3)).date()
    add_closure(db, world.marseille, day, "Inventaire", manager, now)
    closure_id = db.exec(select(Closure.id)).one()
    remove_closure(db, world.marseille, closure_id, now, manager)
    assert [r.action for r in _rows(db)] == [
        "open_access.rule_saved", "open_access.closed", "open_access.reopened"]


def test_a_refused_closure_leaves_no_row(db, world):
    facilitator = _staff(db, FACILITATOR)
    with pytest.raises(DomainError):
        add_closure(db, world.marseille, (utcnow() - timedelta(days=2)).date(), "",
                    facilitator, utcnow())
    db.rollback()
    assert _rows(db) == []


def test_catalogue_edits_and_imports_are_recorded(db, world):
    manager = _staff(db, MANAGER)
    edits.create_sector(db, {"slug": "sante", "name": "Santé"}, manager)
    edits.update_sector(db, "sante", {"name": "Santé et social"}, manager)
    edits.set_active(db, Sector, "sante", active=False, actor=manager)
    import_catalogue(db, CSV, dry_run=True, actor=manager)  # a dry run writes nothing
    import_catalogue(db, CSV, actor=manager)
    import_catalogue(db, CSV, actor=manager)  # nothing changed: no row
    rows = _rows(db)
    assert [r.action for r in rows] == [
        "catalogue.sector_created", "catalogue.sector_updated", "catalogue.sector_retired",
        "catalogue.imported"]
    assert rows[-1].summary == "1 rows: 4 created, 0 updated"  # sector, job, video, link


def test_a_refused_catalogue_edit_leaves_no_row(db, world):
    with pytest.raises(DomainError):
        edits.create_sector(db, {"slug": "", "name": ""}, _staff(db, MANAGER))
    db.rollback()
    assert _rows(db) == []
