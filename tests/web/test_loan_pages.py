"""Loan pages through HTTP: the allocation board (lend, refusals), a loan's page (extend,
cancel), the hand-over pages by scan, the transfer slip, the network view, the list.

The rules underneath are tested in ``services/test_loan_lifecycle.py`` and
``services/test_loan_handovers.py``.
"""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import (
    FACILITATOR,
    GAP_FACILITATOR,
    GAP_MANAGER,
    MANAGER,
    LoanNetwork,
    centre_today,
    confirmed_bookings,
    lend_through_service,
    login,
    make_loan_network,
    open_access_slot,
    post_form,
    reread,
    workshop,
)
from vr_booking.models import Loan, LoanHandover

TAGS = ["MRS-VR-01", "MRS-VR-02", "MRS-VR-03"]
BOARD = "/staff/centres/marseille/board"


@pytest.fixture
def network(db: Session, make_centre, make_staff) -> LoanNetwork:
    return make_loan_network(db, make_centre, make_staff)


@pytest.fixture
def signed_in(client: TestClient, network):
    """Sign the client in as someone, in English."""

    def _sign_in(email: str = MANAGER) -> TestClient:
        client.cookies.clear()
        login(client, email)
        client.cookies.set("lang", "en")
        return client

    return _sign_in


def day(network: LoanNetwork, offset: int) -> str:
    return (centre_today(network.marseille) + timedelta(days=offset)).isoformat()


def lend_form(network: LoanNetwork, tags=TAGS, first: int = 0, last: int = 6, **fields) -> dict:
    return {"headset": list(tags), "to_centre": "gap", "start_date": day(network, first),
            "end_date": day(network, last), "kit": ["charger", "cable"], **fields}


def loans(db: Session) -> list[Loan]:
    db.commit()
    return list(db.exec(select(Loan)))


# --- the board ------------------------------------------------------------------------------

def test_the_board_groups_headsets_by_place_and_shows_what_holds_them(signed_in, db,
                                                                       network):
    lend_through_service(db, network, ["MRS-VR-05", "MRS-VR-06"], 0, 6)
    workshop(db, network.marseille, network.headsets[0], timedelta(days=1),
             title="Atelier soudure")
    open_access_slot(db, network.marseille)
    page = signed_in().get(BOARD).text
    assert "At Cité des métiers de Marseille" in page
    assert "At Centre associé de Gap" in page
    assert page.index("At Centre associé de Gap") < page.index('value="MRS-VR-05"')
    assert "Atelier soudure" in page
    assert "Open access: 1 slot" in page
    assert "Lent to Centre associé de Gap" in page
    assert 'name="headset" value="MRS-VR-01"' in page


def test_moving_through_weeks_with_htmx_answers_the_board_only(signed_in, network):
    client = signed_in()
    start = day(network, 14)
    answer = client.get(BOARD, params={"start": start, "headset": ["MRS-VR-02"]},
                        headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<div id="board"')
    assert "<html" not in answer.text
    assert 'value="MRS-VR-02" checked' in answer.text
    assert "HX-Request" in answer.headers["Vary"]
    weeks = client.get(BOARD, params={"view": "weeks"}).text
    assert weeks.count("Week of") >= 6


def test_lending_from_the_board_goes_to_the_new_loan(signed_in, db, network):
    answer = post_form(signed_in(), BOARD, lend_form(network), follow_redirects=False)
    assert answer.status_code == 303
    [loan] = loans(db)
    assert answer.headers["location"].endswith(f"/staff/loans/{loan.id}?saved=created")
    assert (loan.status, loan.start_date.isoformat()) == ("planned", day(network, 0))
    page = signed_in().get(answer.headers["location"]).text
    assert "The loan is planned" in page


def test_a_clash_shows_the_board_again_with_clashes_and_free_headsets(signed_in, db,
                                                                      network):
    lend_through_service(db, network, ["MRS-VR-01"], 2, 4)
    answer = post_form(signed_in(), BOARD, lend_form(network), follow_redirects=False)
    assert answer.status_code == 409
    assert "MRS-VR-01 is lent to Centre associé de Gap" in answer.text
    assert 'id="alt-MRS-VR-04"' in answer.text
    assert 'value="MRS-VR-02" checked' in answer.text  # the choice is kept
    assert len(loans(db)) == 1


def test_bad_dates_are_refused_next_to_their_fields(signed_in, db, network):
    answer = post_form(signed_in(), BOARD, lend_form(network, start_date="2026-02-30",
                                                     end_date="tomorrow"))
    assert answer.status_code == 422
    assert 'id="start_date-error"' in answer.text
    assert 'id="end_date-error"' in answer.text
    nothing = post_form(signed_in(), BOARD, lend_form(network, tags=[]))
    assert nothing.status_code == 422
    assert 'id="headset_tags"' in nothing.text
    assert loans(db) == []


def test_who_sees_the_board_and_who_lends(signed_in, db, network):
    assert signed_in(GAP_MANAGER).get(BOARD).status_code == 403
    assert post_form(signed_in(GAP_MANAGER), BOARD, lend_form(network)).status_code == 403
    facilitator = signed_in(FACILITATOR).get(BOARD)
    assert facilitator.status_code == 200
    assert 'name="headset"' not in facilitator.text
    assert post_form(signed_in(FACILITATOR), BOARD, lend_form(network)).status_code == 403
    assert signed_in().get("/staff/centres/gap/board").status_code == 422  # not a hub
    assert loans(db) == []


def test_a_bad_week_is_a_clear_error(signed_in, network):
    assert signed_in().get(BOARD, params={"start": "2026-13-01"}).status_code == 422


# --- one loan -------------------------------------------------------------------------------

def test_the_loan_page_offers_what_each_person_may_do(signed_in, db, network):
    loan = lend_through_service(db, network, TAGS)
    url = f"/staff/loans/{loan.id}"
    manager = signed_in().get(url).text
    assert f"/staff/loans/{loan.id}/dispatch" in manager
    assert "Extend the loan" in manager
    assert "Cancel the loan" in manager
    gap = signed_in(GAP_FACILITATOR).get(url).text
    assert "/dispatch" not in gap
    assert "Extend the loan" not in gap


def test_extending_and_a_refused_extension(signed_in, db, network):
    loan = lend_through_service(db, network, ["MRS-VR-01"], 0, 2)
    lend_through_service(db, network, ["MRS-VR-01"], 5, 6)
    client = signed_in()
    refused = post_form(client, f"/staff/loans/{loan.id}/extend",
                        {"end_date": day(network, 5)})
    assert refused.status_code == 409
    assert "not free for the added days" in refused.text
    bad = post_form(client, f"/staff/loans/{loan.id}/extend", {"end_date": day(network, 1)})
    assert bad.status_code == 422
    assert 'id="end_date-error"' in bad.text
    done = post_form(client, f"/staff/loans/{loan.id}/extend", {"end_date": day(network, 4)},
                     follow_redirects=False)
    assert done.status_code == 303
    assert reread(db, loan).end_date.isoformat() == day(network, 4)


def test_cancelling_asks_to_confirm_when_gap_counts_on_the_headsets(signed_in, db, network):
    loan = lend_through_service(db, network, TAGS)
    confirmed_bookings(db, open_access_slot(db, network.gap), 2)
    client = signed_in()
    asked = post_form(client, f"/staff/loans/{loan.id}/cancel")
    assert asked.status_code == 409
    assert 'name="confirm" value="yes"' in asked.text
    assert reread(db, loan).status == "planned"
    post_form(client, f"/staff/loans/{loan.id}/cancel", {"confirm": "yes"})
    assert reread(db, loan).status == "cancelled"


# --- hand-overs -----------------------------------------------------------------------------

def test_dispatch_by_typed_scans_with_a_missing_headset_flagged(signed_in, db, network):
    loan = lend_through_service(db, network, TAGS)
    url = f"/staff/loans/{loan.id}/dispatch"
    client = signed_in()
    assert 'id="scanned"' in client.get(url).text
    checked = post_form(client, url, {"scanned": "MRS-VR-01\nhttp://x/h/mrs-vr-02",
                                      "action": "check"})
    assert checked.status_code == 200
    assert "2 of 3 headsets scanned" in checked.text
    assert reread(db, loan).status == "planned"
    refused = post_form(client, url, {"scanned": "MRS-VR-01\nMRS-VR-02\nMRS-VR-09",
                                      "action": "record"})
    assert refused.status_code == 409
    assert "Not scanned: MRS-VR-03" in refused.text
    assert 'name="accept_mismatch"' in refused.text
    done = post_form(client, url, {
        "scanned": "MRS-VR-01\nMRS-VR-02", "accept_mismatch": "yes", "action": "record",
        "condition_MRS-VR-01": "worn", "notes_MRS-VR-01": "strap", "kit_MRS-VR-01": ["case"],
        "counterpart": "Transporteur"}, follow_redirects=False)
    assert done.status_code == 303
    assert reread(db, loan).status == "in_transit"
    page = client.get(f"/staff/loans/{loan.id}").text
    assert "missing: MRS-VR-03" in page
    assert "Worn — strap" in page


def test_the_live_scan_list(signed_in, db, network):
    loan = lend_through_service(db, network, TAGS)
    answer = signed_in().get(f"/staff/loans/{loan.id}/scans",
                             params={"step": "dispatch", "scanned": "MRS-VR-01 MRS-VR-07"})
    assert answer.text.lstrip().startswith('<div id="scan-check"')
    assert "1 of 3 headsets scanned" in answer.text
    assert "Not part of this loan: MRS-VR-07" in answer.text


def test_gap_receives_and_marseille_takes_back(signed_in, db, network):
    loan = lend_through_service(db, network, TAGS)
    scans = {"scanned": "\n".join(TAGS), "action": "record"}
    packed = {f"kit_{tag}": ["charger", "cable"] for tag in TAGS}  # the ticked boxes
    assert post_form(signed_in(), f"/staff/loans/{loan.id}/dispatch",
                     {**scans, **packed}).status_code == 200
    assert signed_in(FACILITATOR).get(f"/staff/loans/{loan.id}/receive").status_code == 403
    gap = signed_in(GAP_FACILITATOR)
    assert post_form(gap, f"/staff/loans/{loan.id}/receive", scans).status_code == 200
    assert reread(db, loan).status == "active"
    assert gap.get(f"/staff/loans/{loan.id}/return").status_code == 403
    back = post_form(signed_in(), f"/staff/loans/{loan.id}/return",
                     {**scans, **packed, "kit_MRS-VR-02": ["charger"]})
    assert back.status_code == 200
    assert reread(db, loan).status == "returned"
    assert "kit missing: Cable" in back.text
    db.commit()
    assert [h.step for h in db.exec(select(LoanHandover).order_by(LoanHandover.id))] == [
        "dispatch", "receipt", "back"]


# --- slip, network, list --------------------------------------------------------------------

def test_the_slip_has_each_headsets_qr_code_and_two_signature_boxes(signed_in, db, network):
    loan = lend_through_service(db, network, TAGS)
    slip = signed_in().get(f"/staff/loans/{loan.id}/slip").text
    assert all(f"/staff/headsets/{tag}/qr.svg" in slip for tag in TAGS)
    assert slip.count('class="signature-box"') == 2
    assert "Handed over by" in slip
    assert "Received by" in slip


def test_the_network_view_flags_late_loans(signed_in, db, network):
    late = lend_through_service(db, network, ["MRS-VR-01"], 0, 0)
    late.status, late.start_date = "active", late.start_date - timedelta(days=4)
    late.end_date = late.start_date + timedelta(days=2)
    db.add(late)
    db.commit()
    lend_through_service(db, network, ["MRS-VR-02"], 1, 3)
    page = signed_in().get("/staff/centres/marseille/network").text
    due = page[page.index("Loans coming due"):page.index("Leaving this week")]
    assert f"Loan {late.id}" in due
    assert re.search(r'class="badge overdue">late<', due)
    assert "Centre associé de Gap" in page
    assert signed_in(GAP_MANAGER).get("/staff/centres/marseille/network").status_code == 403


def test_the_list_shows_each_centre_its_loans(signed_in, db, network, make_centre):
    lend_through_service(db, network, ["MRS-VR-01"])
    other = make_centre("briancon", name="Centre associé de Briançon",
                        hub_id=network.marseille.id)
    loan = lend_through_service(db, network, ["MRS-VR-02"])
    loan.to_centre_id = other.id
    db.add(loan)
    db.commit()
    assert signed_in().get("/staff/loans").text.count("/staff/loans/") >= 2
    gap = signed_in(GAP_FACILITATOR).get("/staff/loans").text
    assert "1 loan" in gap
    assert "Briançon" not in gap
    assert signed_in(GAP_FACILITATOR).get(f"/staff/loans/{loan.id}").status_code == 403
    assert signed_in().get("/staff/loans/99999999999").status_code == 422
    assert signed_in().get("/staff/loans", params={"status": "lost"}).status_code == 422


def test_a_hand_over_that_does_not_fit_is_said_on_its_page(signed_in, db, network):
    later = lend_through_service(db, network, TAGS, 2, 4)
    gap = signed_in(GAP_FACILITATOR).get(f"/staff/loans/{later.id}/receive")
    assert "cannot be recorded now" in gap.text
    assert 'id="scanned"' not in gap.text
    early = post_form(signed_in(), f"/staff/loans/{later.id}/dispatch",
                      {"scanned": "\n".join(TAGS), "action": "record"})
    assert early.status_code == 409
    assert "This loan starts on" in early.text
    assert 'id="scanned"' in early.text  # the scans stay where they were typed
    assert reread(db, later).status == "planned"
