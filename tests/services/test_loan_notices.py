"""Loans that must come back: a return reminder to the borrowing centre before the end
date, and the day after it (in the borrower's zone) ``overdue`` with an e-mail to the
managers of both centres. Each once, whatever the number of runs."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from factories import MANAGER, lend, make_world
from vr_booking.jobs import watch_loans
from vr_booking.models import AuditEvent, Centre, Loan, OutboxMessage
from vr_booking.services.fleet.location import headsets_at

GAP_MANAGER = "gap.manager@example.org"
# Monday 11 January 2027 at noon, UTC: lend() makes the loan run 10 → 14 January.
LENT_AT = datetime(2027, 1, 11, 12, 0, tzinfo=UTC)
END_DATE = "2027-01-14"


def mails(db: Session) -> list[OutboxMessage]:
    db.commit()
    return list(db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def reread(db: Session, loan: Loan) -> Loan:
    db.commit()
    db.refresh(loan)
    return loan


@pytest.fixture
def loan(db, make_centre, make_staff, time_machine):
    """Marseille lends a headset to Gap, on La Réunion's time (UTC+4), until 14 January."""
    world = make_world(db, make_centre, make_staff)
    world.gap.timezone = "Indian/Reunion"
    db.add(world.gap)
    db.commit()
    make_staff(GAP_MANAGER, role="manager", centres=("gap",))
    time_machine.move_to(LENT_AT, tick=False)
    loan = lend(db, world.headsets[0], world.marseille, world.gap, days=3)
    assert loan.end_date.isoformat() == END_DATE
    return loan


def test_the_borrower_is_reminded_days_before_the_end_at_its_local_time_once(
        db, engine, settings, loan, time_machine):
    due = datetime(2027, 1, 12, 6, 0, tzinfo=UTC)  # 12 January 10:00 on La Réunion
    time_machine.move_to(due - timedelta(minutes=1), tick=False)
    assert watch_loans(engine, settings) == 0
    time_machine.move_to(due, tick=False)
    assert watch_loans(engine, settings) == 1
    assert watch_loans(engine, settings) == 0
    [reminder] = mails(db)
    assert reminder.to_address == GAP_MANAGER  # the borrowing centre, not the lender
    assert reminder.subject.startswith("Casques à rendre au plus tard le jeudi 14 janvier")
    assert "MRS-VR-01" in reminder.body_text
    assert reread(db, loan).status == "active"


def test_an_extended_loan_is_reminded_again_before_its_new_end(db, engine, settings, loan,
                                                               time_machine):
    time_machine.move_to(datetime(2027, 1, 12, 6, 0, tzinfo=UTC), tick=False)
    assert watch_loans(engine, settings) == 1
    loan.end_date = loan.end_date + timedelta(days=7)
    db.add(loan)
    db.commit()
    time_machine.move_to(datetime(2027, 1, 19, 6, 0, tzinfo=UTC), tick=False)
    assert watch_loans(engine, settings) == 1
    assert len(mails(db)) == 2


def test_the_day_after_the_end_the_loan_is_overdue_and_both_managers_are_told(
        db, engine, settings, loan, time_machine):
    midnight = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)  # 15 January 00:00 on La Réunion
    time_machine.move_to(midnight - timedelta(minutes=1), tick=False)
    watch_loans(engine, settings)  # sends the late return reminder, nothing overdue yet
    assert reread(db, loan).status == "active"
    sent = len(mails(db))
    time_machine.move_to(midnight, tick=False)
    assert watch_loans(engine, settings) == 1
    assert watch_loans(engine, settings) == 0  # run twice: one effect
    assert reread(db, loan).status == "overdue"
    overdue = mails(db)[sent:]
    assert sorted(m.to_address for m in overdue) == sorted([MANAGER, GAP_MANAGER])
    assert all(m.subject.startswith("Prêt en retard") for m in overdue)
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "loan.overdue")).all()
    assert (event.subject_id, event.actor_id) == (str(loan.id), None)


def test_overdue_headsets_stay_away_from_the_lender(db, engine, settings, loan, time_machine):
    marseille_id = loan.from_centre_id
    later = datetime(2027, 1, 18, 9, 0, tzinfo=UTC)
    time_machine.move_to(later, tick=False)
    marseille = db.get(Centre, marseille_id)
    assert len(headsets_at(db, marseille, later, later + timedelta(hours=1))) == 3
    watch_loans(engine, settings)
    db.commit()
    assert len(headsets_at(db, marseille, later, later + timedelta(hours=1))) == 2


@pytest.mark.parametrize("state", ["returned", "planned", "in_transit"])
def test_only_active_loans_turn_overdue(db, engine, settings, loan, time_machine, state):
    loan.status = state
    db.add(loan)
    db.commit()
    time_machine.move_to(datetime(2027, 1, 20, 9, 0, tzinfo=UTC), tick=False)
    assert watch_loans(engine, settings) == 0
    assert reread(db, loan).status == state
    assert mails(db) == []
