"""The hand-overs of a loan by scanning: dispatch, receipt, return (early or late), with
missing and extra headsets flagged, conditions and kits recorded, and who may do each."""

from datetime import timedelta

import pytest
import time_machine
from sqlmodel import Session, select

from factories import (
    LoanNetwork,
    confirmed_bookings,
    lend_through_service,
    make_loan_network,
    open_access_slot,
    reread,
    waitlisted_bookings,
)
from vr_booking.models import (
    Allocation,
    AuditEvent,
    LoanHandover,
    LoanHeadset,
    SessionKind,
    VRSession,
    utcnow,
)
from vr_booking.services.errors import Conflict, Forbidden, InvalidInput
from vr_booking.services.fleet.location import current_centre_id
from vr_booking.services.loans.handovers import (
    Handover,
    HeadsetCheck,
    dispatch_loan,
    receive_loan,
    return_loan,
)
from vr_booking.services.loans.scanning import ScanMismatch, parse_scans
from vr_booking.services.open_access.capacity import slot_load
from vr_booking.services.open_access.pool import StrandingConflict

pytestmark = pytest.mark.usefixtures("english")
TAGS = ["MRS-VR-01", "MRS-VR-02", "MRS-VR-03"]


@pytest.fixture
def network(db: Session, make_centre, make_staff) -> LoanNetwork:
    return make_loan_network(db, make_centre, make_staff)


@pytest.fixture
def loan(db: Session, network: LoanNetwork):
    return lend_through_service(db, network, TAGS, 0, 6)


def rows(db: Session, loan) -> dict[int, LoanHeadset]:
    db.commit()
    return {r.headset_id: r for r in db.exec(
        select(LoanHeadset).where(LoanHeadset.loan_id == loan.id)
        .execution_options(populate_existing=True))}


def dispatched(db, network, loan, scanned=TAGS, **fields):
    done = dispatch_loan(db, network.manager, loan, Handover(list(scanned), **fields), utcnow())
    db.commit()
    return done


def received(db, network, loan, scanned=TAGS, **fields):
    done = receive_loan(db, network.gap_facilitator, loan, Handover(list(scanned), **fields),
                        utcnow())
    db.commit()
    return done


# --- reading scans --------------------------------------------------------------------------

def test_scans_read_label_addresses_and_typed_tags_once_each():
    text = ("http://vr.example.org/h/MRS-VR-01\n mrs-vr-02, MRS-VR-01\n"
            "https://x.test/h/MRS-VR-03/ ; ¿?")
    assert parse_scans(text) == ["MRS-VR-01", "MRS-VR-02", "MRS-VR-03"]


# --- dispatch -------------------------------------------------------------------------------

def test_dispatch_records_conditions_kit_and_who_handed_over(db, network, loan):
    dispatched(db, network, loan, counterpart="Transporteur Alpes", notes="3 cases",
               headsets={"MRS-VR-02": HeadsetCheck("worn", "scratched strap",
                                                   ["charger", "cable", "case"])})
    assert reread(db, loan).status == "in_transit"
    by_id = rows(db, loan)
    second = by_id[network.headsets[1].id]
    assert (second.condition_out, second.notes_out, second.kit) == (
        "worn", "scratched strap", ["charger", "cable", "case"])
    assert by_id[network.headsets[0].id].condition_out == "good"
    handover = db.exec(select(LoanHandover)).one()
    assert (handover.step, handover.staff_id, handover.counterpart, handover.missing) == (
        "dispatch", network.manager.id, "Transporteur Alpes", [])
    assert "loan.dispatched" in db.exec(select(AuditEvent.action)).all()


def test_a_missing_or_extra_headset_refuses_the_dispatch(db, network, loan):
    with pytest.raises(ScanMismatch) as caught:
        dispatch_loan(db, network.manager, loan,
                      Handover(["MRS-VR-01", "MRS-VR-02", "MRS-VR-05"]), utcnow())
    assert (caught.value.missing, caught.value.extra) == (["MRS-VR-03"], ["MRS-VR-05"])
    db.rollback()
    assert reread(db, loan).status == "planned"


def test_an_accepted_missing_headset_stays_home_and_is_flagged(db, network, loan):
    done = dispatched(db, network, loan, ["MRS-VR-01", "MRS-VR-02", "MRS-VR-05"],
                      accept_mismatch=True)
    assert (done.check.missing, done.check.extra) == (["MRS-VR-03"], ["MRS-VR-05"])
    assert set(rows(db, loan)) == {network.headsets[0].id, network.headsets[1].id}
    assert current_centre_id(db, network.headsets[2], utcnow()) == network.marseille.id
    handover = db.exec(select(LoanHandover)).one()
    assert (handover.missing, handover.extra) == (["MRS-VR-03"], ["MRS-VR-05"])


def test_nothing_of_the_loan_scanned_is_refused(db, network, loan):
    with pytest.raises(InvalidInput) as caught:
        dispatch_loan(db, network.manager, loan, Handover(["MRS-VR-06"], accept_mismatch=True),
                      utcnow())
    assert "scanned" in caught.value.fields


def test_dispatch_before_the_first_day_is_refused(db, network):
    later = lend_through_service(db, network, TAGS, 2, 4)
    with pytest.raises(Conflict) as caught:
        dispatched(db, network, later)
    assert caught.value.code == "too_early"


def test_a_bad_condition_names_its_field(db, network, loan):
    with pytest.raises(InvalidInput) as caught:
        dispatched(db, network, loan, headsets={"MRS-VR-01": HeadsetCheck("shiny")})
    assert "condition_MRS-VR-01" in caught.value.fields


def test_gaps_staff_cannot_dispatch_marseilles_loan(db, network, loan):
    with pytest.raises(Forbidden):
        dispatch_loan(db, network.gap_manager, loan, Handover(TAGS), utcnow())


def test_a_loan_is_dispatched_once(db, network, loan):
    dispatched(db, network, loan)
    with pytest.raises(Conflict) as caught:
        dispatched(db, network, loan)
    assert caught.value.code == "wrong_status"


# --- receipt --------------------------------------------------------------------------------

def test_receipt_by_the_borrower_makes_the_loan_active(db, network, loan):
    dispatched(db, network, loan)
    received(db, network, loan, counterpart="Transporteur Alpes")
    assert reread(db, loan).status == "active"
    assert all(r.received_at is not None for r in rows(db, loan).values())
    handover = db.exec(select(LoanHandover).where(LoanHandover.step == "receipt")).one()
    assert handover.staff_id == network.gap_facilitator.id


def test_a_headset_missing_on_arrival_is_flagged(db, network, loan):
    dispatched(db, network, loan)
    with pytest.raises(ScanMismatch):
        received(db, network, loan, TAGS[:2])
    db.rollback()
    received(db, network, loan, TAGS[:2], accept_mismatch=True)
    assert rows(db, loan)[network.headsets[2].id].received_at is None
    assert db.exec(select(LoanHandover.missing).where(LoanHandover.step == "receipt")).one() \
        == ["MRS-VR-03"]


def test_marseilles_facilitator_cannot_receive_at_gap_but_the_hub_manager_can(db, network,
                                                                              loan):
    dispatched(db, network, loan)
    with pytest.raises(Forbidden):
        receive_loan(db, network.facilitator, loan, Handover(TAGS), utcnow())
    receive_loan(db, network.manager, loan, Handover(TAGS), utcnow())


def test_a_planned_loan_cannot_be_received(db, network, loan):
    with pytest.raises(Conflict):
        received(db, network, loan)


# --- return ---------------------------------------------------------------------------------

def test_the_return_records_condition_and_missing_kit(db, network, loan):
    dispatched(db, network, loan)
    received(db, network, loan)
    return_loan(db, network.manager, loan, Handover(
        TAGS, counterpart="Léa", headsets={"MRS-VR-01": HeadsetCheck(
            "damaged", "cracked lens", ["charger"])}), utcnow())
    db.commit()
    assert reread(db, loan).status == "returned"
    assert reread(db, loan).returned_at is not None
    first = rows(db, loan)[network.headsets[0].id]
    assert (first.condition_back, first.notes_back, first.kit_back) == (
        "damaged", "cracked lens", ["charger"])
    assert rows(db, loan)[network.headsets[1].id].kit_back == ["charger", "cable"]
    assert current_centre_id(db, network.headsets[0], utcnow()) == network.marseille.id
    assert "loan.returned" in db.exec(select(AuditEvent.action)).all()


def test_an_early_return_strands_gaps_bookings_unless_confirmed(db, network, loan):
    gap_slot = open_access_slot(db, network.gap)  # in two days: 3 seats with the loan
    confirmed_bookings(db, gap_slot, 2)
    dispatched(db, network, loan)
    received(db, network, loan)
    with pytest.raises(StrandingConflict):
        return_loan(db, network.manager, loan, Handover(TAGS), utcnow())
    db.rollback()
    assert reread(db, loan).status == "active"
    done = return_loan(db, network.manager, loan, Handover(TAGS, confirm=True), utcnow())
    db.commit()
    assert len(done.waitlisted) == 2
    assert slot_load(db, gap_slot).capacity == 0


def test_an_early_return_frees_gaps_group_reservations_and_promotes_marseille(db, network,
                                                                              loan):
    marseille_slot = open_access_slot(db, network.marseille)  # 3 seats during the loan
    confirmed_bookings(db, marseille_slot, 3)
    waiting = waitlisted_bookings(db, marseille_slot, 2)
    dispatched(db, network, loan)
    received(db, network, loan)
    starts = utcnow() + timedelta(days=3)
    gap_workshop = VRSession(centre_id=network.gap.id, kind=SessionKind.workshop,
                             starts_at=starts, ends_at=starts + timedelta(hours=2))
    db.add(gap_workshop)
    db.flush()
    db.add(Allocation(headset_id=network.headsets[0].id, session_id=gap_workshop.id,
                      starts_at=gap_workshop.starts_at, ends_at=gap_workshop.ends_at))
    db.commit()
    with pytest.raises(StrandingConflict):
        return_loan(db, network.manager, loan, Handover(TAGS), utcnow())
    db.rollback()
    done = return_loan(db, network.manager, loan, Handover(TAGS, confirm=True), utcnow())
    db.commit()
    assert [s.id for _a, s in done.freed] == [gap_workshop.id]
    assert db.exec(select(Allocation)).all() == []
    assert [reread(db, b).status for b in waiting] == ["confirmed", "confirmed"]


def test_a_late_return_after_the_overdue_sweep(db, network, loan):
    dispatched(db, network, loan)
    received(db, network, loan)
    loan.status = "overdue"  # what the overdue sweep does the day after the end date
    db.add(loan)
    db.commit()
    with time_machine.travel(utcnow() + timedelta(days=9)):
        return_loan(db, network.manager, loan, Handover(TAGS), utcnow())
        db.commit()
    assert reread(db, loan).status == "returned"


def test_a_headset_not_brought_back_is_flagged_on_the_return(db, network, loan):
    dispatched(db, network, loan)
    received(db, network, loan)
    return_loan(db, network.manager, loan, Handover(TAGS[1:], accept_mismatch=True), utcnow())
    db.commit()
    assert rows(db, loan)[network.headsets[0].id].back_at is None
    assert db.exec(select(LoanHandover.missing).where(LoanHandover.step == "back")).one() == [
        "MRS-VR-01"]


def test_gaps_staff_do_not_record_the_return(db, network, loan):
    dispatched(db, network, loan)
    received(db, network, loan)
    with pytest.raises(Forbidden):
        return_loan(db, network.gap_manager, loan, Handover(TAGS), utcnow())


def test_a_returned_loan_cannot_come_back_twice(db, network, loan):
    dispatched(db, network, loan)
    return_loan(db, network.manager, loan, Handover(TAGS), utcnow())  # straight from transit
    db.commit()
    with pytest.raises(Conflict) as caught:
        return_loan(db, network.manager, loan, Handover(TAGS), utcnow())
    assert caught.value.code == "wrong_status"
