"""The allocation board and the network view, as the services build them."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from factories import (
    LoanNetwork,
    centre_today,
    confirmed_bookings,
    lend_through_service,
    make_loan_network,
    open_access_slot,
    workshop,
)
from vr_booking.models import utcnow
from vr_booking.services.loans.board import board_columns, build_board
from vr_booking.services.loans.network import network_view, where_headsets_are


@pytest.fixture
def network(db: Session, make_centre, make_staff) -> LoanNetwork:
    return make_loan_network(db, make_centre, make_staff, headsets=4)


def rows_by_tag(board) -> dict:
    return {row.headset.asset_tag: (group.centre.slug, row) for group in board.groups
            for row in group.rows}


def test_days_start_on_the_day_asked_and_weeks_on_its_monday(network):
    today = centre_today(network.marseille)
    days = board_columns("days", today)
    assert [(c.first, c.last) for c in days][:2] == [(today, today),
                                                    (today + timedelta(days=1),) * 2]
    weeks = board_columns("weeks", today)
    assert weeks[0].first.weekday() == 0
    assert weeks[0].holds(today)
    assert len(weeks) == 6


def test_headsets_are_grouped_where_they_are_today(db, network):
    lend_through_service(db, network, ["MRS-VR-02"], 0, 2)
    lend_through_service(db, network, ["MRS-VR-03"], 3, 4)
    board = build_board(db, network.marseille, "days", None, utcnow())
    rows = rows_by_tag(board)
    assert {tag: slug for tag, (slug, _row) in rows.items()} == {
        "MRS-VR-01": "marseille", "MRS-VR-02": "gap", "MRS-VR-03": "marseille",
        "MRS-VR-04": "marseille"}
    assert [g.centre.slug for g in board.groups] == ["marseille", "gap"]
    later = build_board(db, network.marseille, "days",
                        centre_today(network.marseille) + timedelta(days=3), utcnow())
    assert rows_by_tag(later)["MRS-VR-03"][0] == "gap"  # today is not shown: first day


def test_a_loan_reads_as_one_run_and_free_days_as_others(db, network):
    loan = lend_through_service(db, network, ["MRS-VR-01"], 1, 4)
    board = build_board(db, network.marseille, "days", None, utcnow())
    runs = rows_by_tag(board)["MRS-VR-01"][1].runs
    assert [(first, span) for first, span, _cell in runs] == [(0, 1), (1, 4), (5, 2)]
    assert [lo.id for lo in runs[1][2].loans] == [loan.id]
    assert runs[0][2].is_free
    assert runs[1][2].centre.slug == "gap"


def test_cells_show_group_sessions_and_open_access_for_usable_headsets(db, network):
    session = workshop(db, network.marseille, network.headsets[0], timedelta(days=2))
    open_access_slot(db, network.marseille)  # in two days
    network.headsets[3].face_cover = "foam"
    db.add(network.headsets[3])
    db.commit()
    board = build_board(db, network.marseille, "days", None, utcnow())
    rows = rows_by_tag(board)
    day_of_slot = next(n for n, c in enumerate(board.columns)
                       if c.holds(centre_today(network.marseille) + timedelta(days=2)))
    first = rows["MRS-VR-01"][1].cells[day_of_slot]
    assert [s.id for s in first.sessions] == [session.id]
    assert first.open_access == 1
    assert rows["MRS-VR-04"][1].cells[day_of_slot].open_access == 0  # foam: not for the public
    weeks = build_board(db, network.marseille, "weeks", None, utcnow())
    assert sum(c.open_access for c in rows_by_tag(weeks)["MRS-VR-02"][1].cells) == 1


def test_the_network_view_counts_headsets_use_and_loans_due(db, network):
    slot = open_access_slot(db, network.marseille)  # 4 headsets, 4 seats
    confirmed_bookings(db, slot, 2)
    due = lend_through_service(db, network, ["MRS-VR-01"], 0, 3)
    leaving = lend_through_service(db, network, ["MRS-VR-02"], 5, 9)
    due.status = "active"
    db.add(due)
    db.commit()
    view = network_view(db, network.marseille, utcnow())
    marseille, gap = view.centres
    assert ([h.asset_tag for h in gap.here_today], [h.asset_tag for h in gap.here_next_week]) \
        == (["MRS-VR-01"], ["MRS-VR-02"])
    assert len(marseille.here_today) == 3
    assert (marseille.seats_booked, marseille.seats_offered, marseille.use_percent) == (2, 3, 67)
    assert gap.use_percent is None
    assert [v.loan.id for v in view.due] == [due.id]
    assert view.due[0].is_due_soon
    assert [v.loan.id for v in view.leaving] == [leaving.id]


def test_a_late_loan_is_flagged_before_the_sweep(db, network):
    loan = lend_through_service(db, network, ["MRS-VR-01"], 0, 0)
    loan.status, loan.start_date = "active", loan.start_date - timedelta(days=3)
    loan.end_date = loan.start_date + timedelta(days=1)
    db.add(loan)
    db.commit()
    [due] = network_view(db, network.marseille, utcnow()).due
    assert (due.is_late, due.is_due_soon) == (True, False)


def test_where_headsets_are_for_gaps_staff_and_the_hub(db, network):
    lend_through_service(db, network, ["MRS-VR-01"], 0, 2)
    assert [(h.asset_tag, c.slug) for h, c in where_headsets_are(
        db, network.gap_facilitator, utcnow())] == [("MRS-VR-01", "gap")]
    hub = where_headsets_are(db, network.manager, utcnow() + timedelta(days=4))
    assert {c.slug for _h, c in hub} == {"marseille"}
