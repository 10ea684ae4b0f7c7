"""Incidents at the desk (services): felt unwell ends the immersion (with advice), damage →
maintenance, loss → lost, refused when it would strand bookings unless a manager confirmed.

The Today page's incident forms are tested in ``web/test_incident_today.py``."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from factories import Desk, arrive, book, give, make_desk, reread
from vr_booking.models import HeadsetStateChange, HeadsetUse, Incident
from vr_booking.services.desk.incidents import PersonRef, incident_message, report_incident
from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.fleet.charge import Battery
from vr_booking.services.fleet.detail import headset_summary

pytestmark = pytest.mark.usefixtures("english")  # the tests read service messages


@pytest.fixture
def desk(db: Session, make_open_access, make_staff) -> Desk:
    return make_desk(db, make_open_access, make_staff)


def report(db: Session, desk: Desk, kind: str, **kwargs):
    done = report_incident(db, desk.staff, kwargs.pop("at", desk.now), kind,
                           centre_id=desk.centre.id, **kwargs)
    db.commit()
    return done


# --- felt unwell ----------------------------------------------------------------------------

def test_felt_unwell_ends_the_immersion_logs_it_and_advises_rest(db, desk):
    give(db, desk, "HUB-VR-01")
    later = desk.now + timedelta(minutes=8)
    done = report(db, desk, "felt_unwell", asset_tag="HUB-VR-01", note="stopped early",
                  at=later)
    use = reread(db, db.exec(select(HeadsetUse)).one())
    assert use.returned_at == later
    incident = db.exec(select(Incident)).one()
    assert (incident.kind, incident.booking_id, incident.headset_id, incident.note) == (
        "felt_unwell", desk.ana.id, desk.headsets[0].id, "stopped early")
    assert (incident.session_id, incident.reported_by_id) == (desk.slots[0].id, desk.staff.id)
    assert "drive" in done.advice
    assert "Ana's immersion has ended." in incident_message(done)
    summary = headset_summary(db, reread(db, desk.headsets[0]), later, Battery())
    assert (summary.in_use, summary.to_clean) == (False, True)
    assert reread(db, desk.headsets[0]).usage_minutes == 8


def test_felt_unwell_can_name_the_person_instead_of_the_headset(db, desk):
    give(db, desk, "HUB-VR-02")
    done = report(db, desk, "felt_unwell", person=PersonRef(code=desk.ana.short_code))
    assert done.ended_use is not None
    assert done.headset.asset_tag == "HUB-VR-02"


def test_felt_unwell_after_the_return_is_only_logged(db, desk):
    done = report(db, desk, "felt_unwell", person=PersonRef(code=desk.ana.short_code))
    assert (done.ended_use, done.headset) == (None, None)
    assert db.exec(select(Incident.booking_id)).one() == desk.ana.id
    assert done.advice


def test_felt_unwell_needs_someone(db, desk):
    with pytest.raises(Conflict) as nobody:
        report(db, desk, "felt_unwell", asset_tag="HUB-VR-01")
    assert nobody.value.code == "headset_not_in_use"
    give(db, desk, "HUB-VR-01")
    ben = arrive(db, desk, "Ben")
    with pytest.raises(Conflict) as mismatch:
        report(db, desk, "felt_unwell", asset_tag="HUB-VR-01",
               person=PersonRef(code=ben.short_code))
    assert mismatch.value.code == "not_the_holder"


def test_notes_are_short(db, desk):
    with pytest.raises(InvalidInput) as error:
        report(db, desk, "other", asset_tag="HUB-VR-01", note="x" * 501)
    assert error.value.code == "invalid_incident"
    assert "note" in error.value.fields


@pytest.mark.parametrize("kind", ["damage", "loss"])
def test_damage_and_loss_need_a_headset(db, desk, kind):
    with pytest.raises(InvalidInput) as error:
        report(db, desk, kind, person=PersonRef(code=desk.ana.short_code))
    assert "headset" in error.value.fields


# --- damage and loss ------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "state"), [("damage", "maintenance"), ("loss", "lost")])
def test_damage_or_loss_takes_the_headset_out_of_service(db, desk, kind, state):
    done = report(db, desk, kind, asset_tag="HUB-VR-03", note="dropped")
    assert reread(db, desk.headsets[2]).service_state == state
    change = db.exec(select(HeadsetStateChange)).one()
    assert (change.to_state, change.reason, change.staff_id) == (state, "dropped", desk.staff.id)
    assert db.exec(select(Incident.kind, Incident.headset_id)).one() == (kind, desk.headsets[2].id)
    assert done.advice is None


def test_damage_while_worn_ends_the_use(db, desk):
    give(db, desk, "HUB-VR-01")
    done = report(db, desk, "damage", asset_tag="HUB-VR-01",
                  at=desk.now + timedelta(minutes=3))
    assert done.ended_use.returned_at == desk.now + timedelta(minutes=3)
    assert db.exec(select(Incident.booking_id)).one() == desk.ana.id
    assert reread(db, desk.headsets[0]).service_state == "maintenance"
    assert done.state_change.change.reason == "Damage reported at the desk"


def test_damage_that_would_strand_bookings_needs_a_managers_confirmation(db, desk):
    book(db, desk.slots[0], "Ben")
    chloe = book(db, desk.slots[0], "Chloé")  # 3 seats, 3 held
    with pytest.raises(Conflict) as stranded:
        report(db, desk, "damage", asset_tag="HUB-VR-01")
    db.rollback()
    assert stranded.value.code == "would_strand"
    assert db.exec(select(Incident)).all() == []
    assert reread(db, desk.headsets[0]).service_state == "in_service"

    done = report(db, desk, "damage", asset_tag="HUB-VR-01", confirmed=True)
    assert [b.id for b in done.state_change.waitlisted] == [chloe.id]
    assert reread(db, chloe).status == "waitlisted"
    assert "1 booking went back to the waiting list." in incident_message(done)


def test_a_second_damage_report_on_a_headset_in_maintenance_is_only_logged(db, desk):
    report(db, desk, "damage", asset_tag="HUB-VR-03")
    again = report(db, desk, "damage", asset_tag="HUB-VR-03", note="screen too")
    assert again.state_change is None
    assert len(db.exec(select(Incident)).all()) == 2
