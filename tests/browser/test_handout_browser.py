"""The facilitator's headset flow in a real browser (Debian's Chromium): sign in, check in by
typed code, hand out a headset, take it back, log the cleaning; and the timer's count-up.

The server runs on the real clock, so the slot here starts now. Locators use ids, classes
and form actions rather than words, so that the test holds in French and English.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from factories import serious_violations, sign_in_to_today
from vr_booking.models import (
    Cleaning,
    Headset,
    HeadsetUse,
    Participant,
    utcnow,
)
from vr_booking.services.desk.checkin import check_in
from vr_booking.services.desk.walk_ins import add_walk_in
from vr_booking.services.open_access.booking import BookingInput, create_booking

pytestmark = pytest.mark.browser
CARD = "#headset-HUB-VR-01"


@pytest.fixture
def today(db: Session, make_open_access, make_slot_now, make_staff, live_server):
    """A slot starting now with Ana booked; 3 charged headsets; a facilitator."""
    open_access = make_open_access("hub", headsets=3)
    slot = make_slot_now(open_access, charged=True)
    start = slot.starts_at
    ana = create_booking(db, BookingInput(slot_id=slot.id, name="Ana", age_confirmed=True,
                                          health_ack=True), start - timedelta(hours=1)).booking
    db.commit()
    staff = make_staff("fac@example.org", centres=("hub",))
    return live_server, ana, open_access.headsets, staff, slot


def test_check_in_hand_out_take_back_and_clean(page: Page, today, db: Session):
    server, ana, _headsets, _staff, _slot = today
    errors = sign_in_to_today(page, server.url)

    page.locator("#checkin-code").fill(ana.short_code)
    page.locator("#checkin-form").get_by_role("button").click()
    person = page.locator("#board li.status-checked_in", has_text="Ana")
    expect(person).to_be_visible()

    expect(person.locator("select[name=headset]")).to_have_value("HUB-VR-01")  # suggested
    person.locator("form[action*='/handouts'] button[type=submit]").click()
    expect(page.locator(CARD)).to_have_class("hs status-in_use")
    expect(page.locator(f"{CARD} .timer .elapsed")).to_be_visible()
    expect(person.locator(".wearing")).to_contain_text("HUB-VR-01")

    page.locator(f"{CARD} form[action*='/returns'] button[type=submit]").click()
    expect(page.locator(CARD)).to_have_class("hs status-to_clean")
    page.locator(f"{CARD} button[value=wipes]").click()
    expect(page.locator(CARD)).to_have_class("hs status-free")
    expect(page.locator(f"{CARD} .row-msg.ok")).to_contain_text("HUB-VR-01")
    expect(person.locator(".done")).to_be_visible()  # her immersion is over: no new offer

    db.commit()
    use = db.exec(select(HeadsetUse)).one()
    assert (use.booking_id, use.returned_at is not None) == (ana.id, True)
    assert db.exec(select(Cleaning.method)).one() == "wipes"
    assert errors == []


def test_the_timer_counts_up_and_flags_the_cap_without_waiting_for_the_server(page: Page,
                                                                             today, db):
    server, ana, headsets, staff, slot = today
    check_in(db, staff, utcnow(), code=ana.short_code)
    db.add(HeadsetUse(headset_id=headsets[0].id, session_id=slot.id, booking_id=ana.id,
                      started_at=utcnow() - timedelta(minutes=20) + timedelta(seconds=6)))
    db.commit()
    errors = sign_in_to_today(page, server.url)
    badge = page.locator(f"{CARD} [data-overdue-badge]")
    expect(badge).to_be_hidden()  # rendered under the 20 min cap
    expect(badge).to_be_visible(timeout=8000)  # timers.js, before the board's 10 s poll
    expect(page.locator("#desk-announce")).to_contain_text("Ana")  # said once, in the region
    expect(page.locator(f"{CARD} .elapsed")).to_contain_text("20")
    assert errors == []


def test_the_headsets_board_has_no_serious_accessibility_violation(page: Page, today, db):
    """Every state at once: worn past the cap, to clean, low charge, free, a hand-out form."""
    server, ana, headsets, staff, slot = today
    now = utcnow()
    check_in(db, staff, now, code=ana.short_code)
    for _walk_in in range(2):
        add_walk_in(db, staff, slot.id, now)
    first = db.exec(select(Participant.id).order_by(Participant.id)).first()
    headsets[2].charge_percent = 5
    db.add_all([headsets[2], Headset(asset_tag="HUB-VR-04", home_centre_id=slot.centre_id,
                                     charge_percent=100, charge_recorded_at=now),
                HeadsetUse(headset_id=headsets[0].id, session_id=slot.id, booking_id=ana.id,
                           started_at=now - timedelta(minutes=25)),
                HeadsetUse(headset_id=headsets[1].id, session_id=slot.id, participant_id=first,
                           started_at=now - timedelta(minutes=20),
                           returned_at=now - timedelta(minutes=1))])
    db.commit()
    errors = sign_in_to_today(page, server.url)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    expect(page.locator(CARD)).to_have_class("hs status-in_use overdue")
    expect(page.locator("#headset-HUB-VR-02")).to_have_class("hs status-to_clean")
    expect(page.locator("#headset-HUB-VR-03")).to_have_class("hs status-low_charge")
    expect(page.locator("#board form[action*='/handouts']")).to_have_count(2)  # the walk-ins
    assert serious_violations(page) == []
    assert errors == []
