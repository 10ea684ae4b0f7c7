"""Incidents at the desk: felt unwell ends the immersion (with advice), damage → maintenance,
loss → lost, refused when it would strand bookings unless a manager confirmed."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from test_desk import book
from test_handout import Desk, arrive, give, make_desk

from conftest import csrf_from, login
from vr_booking.i18n import current_language
from vr_booking.models import Booking, Headset, HeadsetStateChange, HeadsetUse, Incident
from vr_booking.services.desk.incidents import PersonRef, incident_message, report_incident
from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.fleet.charge import Battery
from vr_booking.services.fleet.detail import headset_summary


@pytest.fixture(autouse=True)
def _english():
    """These tests read the service's messages: read them in English."""
    token = current_language.set("en")
    yield
    current_language.reset(token)



@pytest.fixture
def desk(db: Session, make_open_access, make_staff) -> Desk:
    return make_desk(db, make_open_access, make_staff)


def report(db: Session, desk: Desk, kind: str, **kwargs):
    done = report_incident(db, desk.staff, kwargs.pop("at", desk.now), kind,
                           centre_id=desk.centre.id, **kwargs)
    db.commit()
    return done


def fresh(db: Session, row):
    db.commit()
    return db.exec(select(type(row)).where(type(row).id == row.id)
                   .execution_options(populate_existing=True)).one()


# --- felt unwell ----------------------------------------------------------------------------

def test_felt_unwell_ends_the_immersion_logs_it_and_advises_rest(db, desk):
    give(db, desk, "HUB-VR-01")
    later = desk.now + timedelta(minutes=8)
    done = report(db, desk, "felt_unwell", asset_tag="HUB-VR-01", note="stopped early",
                  at=later)
    use = fresh(db, db.exec(select(HeadsetUse)).one())
    assert use.returned_at == later
    incident = db.exec(select(Incident)).one()
    assert (incident.kind, incident.booking_id, incident.headset_id, incident.note) == (
        "felt_unwell", desk.ana.id, desk.headsets[0].id, "stopped early")
    assert (incident.session_id, incident.reported_by_id) == (desk.slots[0].id, desk.staff.id)
    assert "drive" in done.advice
    assert "Ana's immersion has ended." in incident_message(done)
    summary = headset_summary(db, fresh(db, desk.headsets[0]), later, Battery())
    assert (summary.in_use, summary.to_clean) == (False, True)
    assert fresh(db, desk.headsets[0]).usage_minutes == 8


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
    assert fresh(db, desk.headsets[2]).service_state == state
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
    assert fresh(db, desk.headsets[0]).service_state == "maintenance"
    assert done.state_change.change.reason == "Damage reported at the desk"


def test_damage_that_would_strand_bookings_needs_a_managers_confirmation(db, desk):
    book(db, desk.slots[0], "Ben")
    chloe = book(db, desk.slots[0], "Chloé")  # 3 seats, 3 held
    with pytest.raises(Conflict) as stranded:
        report(db, desk, "damage", asset_tag="HUB-VR-01")
    db.rollback()
    assert stranded.value.code == "would_strand"
    assert db.exec(select(Incident)).all() == []
    assert fresh(db, desk.headsets[0]).service_state == "in_service"

    done = report(db, desk, "damage", asset_tag="HUB-VR-01", confirmed=True)
    assert [b.id for b in done.state_change.waitlisted] == [chloe.id]
    assert fresh(db, chloe).status == "waitlisted"
    assert "1 booking went back to the waiting list." in incident_message(done)


def test_a_second_damage_report_on_a_headset_in_maintenance_is_only_logged(db, desk):
    report(db, desk, "damage", asset_tag="HUB-VR-03")
    again = report(db, desk, "damage", asset_tag="HUB-VR-03", note="screen too")
    assert again.state_change is None
    assert len(db.exec(select(Incident)).all()) == 2


# --- at the desk (HTML) ---------------------------------------------------------------------

def test_the_result_shows_the_rest_advice(client, db, desk, time_machine):
    give(db, desk, "HUB-VR-01")
    time_machine.move_to(desk.now + timedelta(minutes=4), tick=False)
    assert login(client, "fac@example.org").status_code == 303
    token = csrf_from(client, "/staff/centres/hub/today?lang=en")
    page = client.post("/staff/centres/hub/today/incidents?lang=en", headers={
        "HX-Request": "true"}, data={"csrftoken": token, "kind": "felt_unwell",
                                     "headset": "HUB-VR-01", "note": ""})
    assert page.status_code == 200
    assert 'class="alert advice"' in page.text
    assert "not to drive" in page.text
    assert page.headers["HX-Trigger"] == "desk-changed"
    assert fresh(db, db.exec(select(HeadsetUse)).one()).returned_at is not None


def test_the_page_says_no_medical_details_next_to_the_note(client, db, desk, time_machine):
    give(db, desk, "HUB-VR-01")
    time_machine.move_to(desk.now + timedelta(minutes=1), tick=False)
    login(client, "fac@example.org")
    page = client.get("/staff/centres/hub/today?lang=en").text
    note = page.index('name="note"', page.index('id="unwell-'))
    assert "Never any medical detail." in page[note:note + 400]


def test_a_refused_damage_report_says_why_on_the_page(client, db, desk, time_machine):
    for name in ("Ben", "Chloé"):
        book(db, desk.slots[0], name)
    time_machine.move_to(desk.now, tick=False)
    login(client, "fac@example.org")
    token = csrf_from(client, "/staff/centres/hub/today?lang=en")
    page = client.post("/staff/centres/hub/today/incidents?lang=en", data={
        "csrftoken": token, "kind": "damage", "headset": "HUB-VR-02"})
    assert page.status_code == 409
    assert "would strand confirmed bookings" in page.text
    confirmed = client.post("/staff/centres/hub/today/incidents?lang=en", data={
        "csrftoken": token, "kind": "damage", "headset": "HUB-VR-02", "confirm": "yes"})
    assert confirmed.status_code == 200
    assert fresh(db, db.get(Headset, desk.headsets[1].id)).service_state == "maintenance"
    assert db.exec(select(Booking.status).where(Booking.name == "Chloé")).one() == "waitlisted"
