"""Lending headsets: creation and its refusals, capacity moving between centres, extension
and cancellation, who may do what. Hand-overs are in test_loan_handovers.py."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from factories import (
    LoanNetwork,
    centre_today,
    confirmed_bookings,
    lend_through_service,
    loan_request,
    make_loan_network,
    open_access_slot,
    reread,
    waitlisted_bookings,
    workshop,
)
from vr_booking.models import AuditEvent, Booking, Headset, Loan, LoanHeadset, utcnow
from vr_booking.services.access import visible_centres
from vr_booking.services.errors import Conflict, Forbidden, InvalidInput
from vr_booking.services.fleet.location import current_centre_id
from vr_booking.services.loans.clashes import HeadsetsBusy
from vr_booking.services.loans.lifecycle import cancel_loan, create_loan, extend_loan
from vr_booking.services.open_access.capacity import slot_load
from vr_booking.services.open_access.pool import StrandingConflict

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def network(db: Session, make_centre, make_staff) -> LoanNetwork:
    return make_loan_network(db, make_centre, make_staff)


def refused(db: Session, network: LoanNetwork, tags, first=0, last=6, staff=None):
    with pytest.raises((Conflict, InvalidInput, Forbidden)) as caught:
        create_loan(db, staff or network.manager, loan_request(network, tags, first, last),
                    utcnow())
    db.rollback()
    return caught.value


def loans(db: Session) -> list[Loan]:
    db.commit()
    return list(db.exec(select(Loan)))


# --- creation -------------------------------------------------------------------------------

def test_a_loan_is_planned_with_its_headsets_and_kit_and_audited(db, network):
    loan = lend_through_service(db, network, ["MRS-VR-01", "MRS-VR-02"])
    assert loan.status == "planned"
    rows = db.exec(select(LoanHeadset).where(LoanHeadset.loan_id == loan.id)).all()
    assert [(r.headset_id, r.kit) for r in rows] == [
        (network.headsets[0].id, ["charger", "cable"]),
        (network.headsets[1].id, ["charger", "cable"])]
    [event] = db.exec(select(AuditEvent)).all()
    assert (event.action, event.subject_id, event.actor_id) == (
        "loan.created", str(loan.id), network.manager.id)
    assert current_centre_id(db, network.headsets[0], utcnow()) == network.gap.id


def test_a_headset_already_lent_on_overlapping_days_is_refused_with_free_ones(db, network):
    lend_through_service(db, network, ["MRS-VR-01"], 2, 5)
    error = refused(db, network, ["MRS-VR-01", "MRS-VR-02"], 5, 9)
    assert isinstance(error, HeadsetsBusy)
    assert error.code == "headsets_busy"
    assert [(c.kind, c.asset_tag) for c in error.clashes] == [("loan", "MRS-VR-01")]
    assert error.alternatives == ["MRS-VR-03", "MRS-VR-04", "MRS-VR-05", "MRS-VR-06"]
    assert len(loans(db)) == 1


def test_the_day_after_a_loan_ends_the_headset_is_free_again(db, network):
    lend_through_service(db, network, ["MRS-VR-01"], 0, 3)
    lend_through_service(db, network, ["MRS-VR-01"], 4, 6)
    assert len(loans(db)) == 2


def test_a_headset_reserved_for_a_group_session_at_the_hub_is_refused(db, network):
    session = workshop(db, network.marseille, network.headsets[2], timedelta(days=2))
    error = refused(db, network, ["MRS-VR-03"])
    assert [(c.kind, c.asset_tag, c.session_id) for c in error.clashes] == [
        ("group_session", "MRS-VR-03", session.id)]
    assert "Atelier industrie" in error.message
    assert "MRS-VR-03" not in error.alternatives


def test_a_headset_out_of_service_is_refused(db, network):
    network.headsets[0].service_state = "maintenance"
    db.add(network.headsets[0])
    db.commit()
    error = refused(db, network, ["MRS-VR-01"])
    assert [c.kind for c in error.clashes] == ["out_of_service"]


def test_open_access_bookings_at_the_hub_that_would_no_longer_fit_refuse_the_loan(db,
                                                                                 network):
    slot = open_access_slot(db, network.marseille)  # 6 seats, in two days
    confirmed_bookings(db, slot, 5)
    error = refused(db, network, ["MRS-VR-01", "MRS-VR-02"])
    assert isinstance(error, HeadsetsBusy)
    assert [(c.kind, c.session_id) for c in error.clashes] == [("open_access", slot.id)]
    assert "5 confirmed bookings for 4 seats" in error.message
    assert loans(db) == []
    assert slot_load(db, slot).capacity == 6
    lend_through_service(db, network, ["MRS-VR-01"])  # one headset still leaves 5 seats


def test_capacity_moves_with_the_loan_and_the_borrowers_waiting_list_is_promoted(db, network):
    marseille_slot = open_access_slot(db, network.marseille)
    gap_slot = open_access_slot(db, network.gap)
    waiting = waitlisted_bookings(db, gap_slot, 3)
    assert (slot_load(db, marseille_slot).capacity, slot_load(db, gap_slot).capacity) == (6, 0)
    lend_through_service(db, network, ["MRS-VR-01", "MRS-VR-02"])
    assert (slot_load(db, marseille_slot).capacity, slot_load(db, gap_slot).capacity) == (4, 2)
    assert [reread(db, b).status for b in waiting] == ["confirmed", "confirmed", "waitlisted"]


def test_a_loan_outside_a_slots_day_leaves_the_slot_alone(db, network):
    gap_slot = open_access_slot(db, network.gap)  # in two days
    lend_through_service(db, network, ["MRS-VR-01"], 3, 5)
    assert slot_load(db, gap_slot).capacity == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"start_date": -1}, "start_date"),
    ({"end_date": -1}, "end_date"),
    ({"end_date": 400}, "end_date"),
    ({"headset_tags": []}, "headset_tags"),
    ({"headset_tags": ["NOPE-1"]}, "headset_tags"),
    ({"to_centre": "nowhere"}, "to_centre"),
    ({"from_centre": "nowhere"}, "from_centre"),
])
def test_impossible_requests_name_their_field(db, network, change, field):
    request = loan_request(network, ["MRS-VR-01"])
    today = centre_today(network.marseille)
    for name, value in change.items():
        setattr(request, name, today + timedelta(days=value) if name.endswith("_date")
                else value)
    with pytest.raises(InvalidInput) as caught:
        create_loan(db, network.manager, request, utcnow())
    assert field in caught.value.fields


def test_a_hub_lends_only_its_own_headsets_and_only_to_centres_it_leads(db, network,
                                                                        make_centre):
    other = make_centre("lyon", kind="hub")
    db.add(Headset(asset_tag="LYO-VR-01", home_centre_id=other.id))
    db.commit()
    assert "headset_tags" in refused(db, network, ["LYO-VR-01"]).fields
    request = loan_request(network, ["MRS-VR-01"], to_centre="lyon")
    with pytest.raises(InvalidInput) as caught:
        create_loan(db, network.manager, request, utcnow())
    assert caught.value.code == "not_an_associated_centre"


# --- who may lend ---------------------------------------------------------------------------

def test_a_gap_manager_cannot_lend_marseilles_headsets(db, network):
    error = refused(db, network, ["MRS-VR-01"], staff=network.gap_manager)
    assert isinstance(error, Forbidden)
    assert loans(db) == []


def test_a_facilitator_cannot_lend(db, network):
    assert isinstance(refused(db, network, ["MRS-VR-01"], staff=network.facilitator),
                      Forbidden)


def test_a_hub_manager_sees_its_associated_centres_and_gaps_staff_only_gap(db, network):
    assert [c.slug for c in visible_centres(db, network.manager)] == ["gap", "marseille"]
    assert [c.slug for c in visible_centres(db, network.gap_manager)] == ["gap"]


# --- extension ------------------------------------------------------------------------------

def test_an_extension_moves_the_end_and_is_audited(db, network):
    loan = lend_through_service(db, network, ["MRS-VR-01"], 0, 3)
    extend_loan(db, network.manager, loan, loan.end_date + timedelta(days=4), utcnow())
    db.commit()
    assert reread(db, loan).end_date == centre_today(network.marseille) + timedelta(days=7)
    assert "extended" in db.exec(select(AuditEvent.action)).all()[-1]
    # the copy on the lent headset's row follows (the no-double-loan constraint reads it)
    row = db.exec(select(LoanHeadset).execution_options(populate_existing=True)).one()
    assert row.end_date == reread(db, loan).end_date


def test_an_extension_over_another_loan_or_a_session_is_refused(db, network):
    loan = lend_through_service(db, network, ["MRS-VR-01", "MRS-VR-02"], 0, 3)
    lend_through_service(db, network, ["MRS-VR-01"], 6, 8)
    workshop(db, network.marseille, network.headsets[1], timedelta(days=5))
    with pytest.raises(HeadsetsBusy) as caught:
        extend_loan(db, network.manager, loan, loan.end_date + timedelta(days=5), utcnow())
    assert sorted((c.kind, c.asset_tag) for c in caught.value.clashes) == [
        ("group_session", "MRS-VR-02"), ("loan", "MRS-VR-01")]
    db.rollback()
    assert reread(db, loan).end_date == centre_today(network.marseille) + timedelta(days=3)


def test_an_extension_that_strands_hub_bookings_is_refused(db, network):
    loan = lend_through_service(db, network, ["MRS-VR-01", "MRS-VR-02"], 0, 0)
    confirmed_bookings(db, open_access_slot(db, network.marseille), 6)
    with pytest.raises(HeadsetsBusy) as caught:
        extend_loan(db, network.manager, loan, loan.end_date + timedelta(days=3), utcnow())
    assert [c.kind for c in caught.value.clashes] == ["open_access"]


def test_an_extension_must_end_later(db, network):
    loan = lend_through_service(db, network, ["MRS-VR-01"], 0, 3)
    with pytest.raises(InvalidInput) as caught:
        extend_loan(db, network.manager, loan, loan.end_date, utcnow())
    assert "end_date" in caught.value.fields


def test_an_overdue_loan_extended_is_active_again(db, network):
    loan = lend_through_service(db, network, ["MRS-VR-01"], 0, 0)
    loan.status, loan.start_date, loan.end_date = "overdue", loan.start_date - timedelta(
        days=5), loan.end_date - timedelta(days=2)
    db.add(loan)
    db.commit()
    extend_loan(db, network.manager, loan, centre_today(network.marseille) + timedelta(days=2),
                utcnow())
    db.commit()
    assert reread(db, loan).status == "active"


def test_only_the_lenders_managers_extend(db, network):
    loan = lend_through_service(db, network, ["MRS-VR-01"], 0, 3)
    with pytest.raises(Forbidden):
        extend_loan(db, network.gap_manager, loan, loan.end_date + timedelta(days=1), utcnow())


# --- overdue --------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["overdue", "active"])
def test_headsets_not_back_from_a_late_loan_cannot_be_lent_again(db, network, status):
    """Overdue (the sweep ran) or active past its end (it has not yet): not back either way."""
    loan = lend_through_service(db, network, ["MRS-VR-01"], 0, 0)
    loan.status = status
    loan.start_date -= timedelta(days=6)
    loan.end_date -= timedelta(days=2)
    db.add(loan)
    db.commit()
    error = refused(db, network, ["MRS-VR-01"], 2, 4)
    assert [c.kind for c in error.clashes] == ["loan"]
    assert "has not come back" in error.message


def test_an_overdue_loan_keeps_its_headsets_at_the_borrower_until_returned(db, network):
    loan = lend_through_service(db, network, ["MRS-VR-01"], 0, 0)
    loan.status, loan.start_date = "overdue", loan.start_date - timedelta(days=6)
    loan.end_date = loan.start_date + timedelta(days=2)
    db.add(loan)
    db.commit()
    assert current_centre_id(db, network.headsets[0], utcnow()) == network.gap.id
    loan.status = "returned"
    db.add(loan)
    db.commit()
    assert current_centre_id(db, network.headsets[0], utcnow()) == network.marseille.id


# --- cancellation ---------------------------------------------------------------------------

def test_a_cancelled_loan_frees_its_headsets_and_promotes_the_hubs_waiting_list(db, network):
    slot = open_access_slot(db, network.marseille)
    loan = lend_through_service(db, network, ["MRS-VR-01", "MRS-VR-02"])
    confirmed_bookings(db, slot, 4)
    waiting = waitlisted_bookings(db, slot, 1)
    cancel_loan(db, network.manager, loan, utcnow())
    db.commit()
    assert reread(db, loan).status == "cancelled"
    assert reread(db, waiting[0]).status == "confirmed"
    assert current_centre_id(db, network.headsets[0], utcnow()) == network.marseille.id
    lend_through_service(db, network, ["MRS-VR-01"])  # free again
    assert db.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()[-2] == \
        "loan.cancelled"


def test_cancelling_strands_the_borrowers_bookings_unless_confirmed(db, network):
    gap_slot = open_access_slot(db, network.gap)
    loan = lend_through_service(db, network, ["MRS-VR-01", "MRS-VR-02"])
    bookings = confirmed_bookings(db, gap_slot, 2)
    with pytest.raises(StrandingConflict):
        cancel_loan(db, network.manager, loan, utcnow())
    db.rollback()
    assert reread(db, loan).status == "planned"
    change = cancel_loan(db, network.manager, loan, utcnow(), confirmed=True)
    db.commit()
    assert {b.id for b in change.waitlisted} == {b.id for b in bookings}
    assert db.exec(select(Booking.status).where(Booking.session_id == gap_slot.id)).all() == [
        "waitlisted", "waitlisted"]


def test_only_a_planned_loan_can_be_cancelled(db, network):
    loan = lend_through_service(db, network, ["MRS-VR-01"])
    loan.status = "in_transit"
    db.add(loan)
    db.commit()
    with pytest.raises(Conflict) as caught:
        cancel_loan(db, network.manager, loan, utcnow())
    assert caught.value.code == "wrong_status"
