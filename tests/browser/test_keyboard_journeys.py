"""Keyboard-only journeys in the system Chromium: a visitor books and cancels, a facilitator
checks in, hands out, takes back and logs the cleaning, with Tab, Enter, Space and typing
only (no pointer). Each step also counts the Tab presses it took (a bound, so that a focus
dropped to the top of the page fails)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from factories import PASSWORD
from vr_booking.models import Booking, Cleaning, HeadsetUse
from vr_booking.services.open_access.booking import BookingInput, create_booking

pytestmark = pytest.mark.browser
MAX_TABS = 60


def tab_to(page: Page, selector: str, limit: int = MAX_TABS) -> int:
    """Press Tab until the focus is on an element matching ``selector``; the presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached in {limit} Tab presses")


def test_a_visitor_books_and_cancels_with_the_keyboard(page: Page, make_open_access,
                                                       live_server, db: Session):
    make_open_access(headsets=2)
    page.goto(f"{live_server.url}/lang/en?next=/")
    tab_to(page, "a.button[href*='/book/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a seat")
    tab_to(page, "#name")
    page.keyboard.type("Nora")
    tab_to(page, "#age_confirmed", limit=10)
    page.keyboard.press("Space")
    tab_to(page, "#health_ack", limit=5)
    page.keyboard.press("Space")
    tab_to(page, "form button[type=submit]", limit=5)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your ticket")

    tab_to(page, "a[href$='/cancel']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your booking?")
    tab_to(page, "button.danger", limit=10)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancelled booking")
    db.commit()
    assert db.exec(select(Booking.status)).one() == "cancelled"


def test_a_facilitator_runs_a_visit_with_the_keyboard(page: Page, db: Session, make_open_access,
                                                      make_slot_now, make_staff, live_server):
    hub = make_open_access("hub", headsets=2)
    slot = make_slot_now(hub, charged=True)
    dan = create_booking(db, BookingInput(slot_id=slot.id, name="Dan", age_confirmed=True,
                                          health_ack=True),
                         slot.starts_at - timedelta(hours=1)).booking
    db.commit()
    make_staff("fac@example.org", centres=("hub",))
    page.goto(f"{live_server.url}/lang/en?next=/staff/centres/hub/today")
    tab_to(page, "#email")
    page.keyboard.type("fac@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/centres/hub/today$"))

    tab_to(page, "#checkin-code")
    page.keyboard.type(dan.short_code)
    page.keyboard.press("Enter")  # check in: the answer in his row takes the focus
    expect(page.locator(":focus")).to_contain_text("Dan is checked in")
    assert tab_to(page, "select[name=headset]", limit=1) == 1
    assert tab_to(page, "form[action*='/handouts'] button", limit=1) == 1
    page.keyboard.press("Enter")  # hand out
    expect(page.locator(":focus")).to_contain_text("handed out to Dan")
    tag = re.search(r"HUB-VR-\d+", page.locator(":focus").inner_text()).group(0)

    tab_to(page, f"#headset-{tag} form[action*='/returns'] button")
    page.keyboard.press("Enter")  # take back
    expect(page.locator(":focus")).to_contain_text(f"{tag} is back from Dan")
    assert tab_to(page, f"#headset-{tag} button[value=wipes]", limit=1) == 1
    page.keyboard.press("Enter")  # cleaned
    expect(page.locator(":focus")).to_contain_text(f"Cleaning of {tag} logged")

    db.commit()
    use = db.exec(select(HeadsetUse)).one()
    assert (use.booking_id, use.returned_at is not None) == (dan.id, True)
    assert db.exec(select(Cleaning.method)).one() == "wipes"
