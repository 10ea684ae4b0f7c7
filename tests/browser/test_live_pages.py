"""The live parts of the pages in the system Chromium (issue 10 points 1-5): the desk's
refresh never changes a choice being made nor drops the focus, each desk action puts the
focus on its answer next to the changed row, polling can be paused and stops while the page
is hidden, and the regions that speak say only the short change.

Playwright's clock runs the pages' timers (the 10 s and 20 s polls) without waiting; the
server answers for real.
"""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from factories import SITE_STAFF, Site, sign_in
from vr_booking.models import Headset, StaffUser, VRSession, utcnow
from vr_booking.services.fleet.edits import log_cleaning
from vr_booking.services.open_access.booking import BookingInput, create_booking

pytestmark = pytest.mark.browser
TODAY = "/staff/centres/marseille/today"
POLL = 11_000  # ms: a little more than the board's 10 s
NOT_LIVE = "el => !el.closest('[aria-live], [role=status], [role=alert]')"


def _desk(page: Page, site: Site) -> None:
    page.clock.install()
    sign_in(page, site.url, SITE_STAFF["facilitator"][0])
    page.goto(site.url + TODAY)
    expect(page.locator("[data-live-pause]")).to_be_visible()  # live.js is running


def _poll(page: Page, path: str = "/today", wait: int = POLL) -> None:
    """Run the page's clock past a poll and wait for the answer to be merged."""
    with page.expect_response(lambda r: r.url.endswith(path) and r.request.method == "GET"):
        page.clock.run_for(wait)
    page.wait_for_timeout(200)  # the merge runs right after the answer arrives


def _clean(db: Session, tag: str) -> None:
    """Another desk cleans a headset: the board's rows change on the next poll."""
    db.commit()  # a fresh transaction: the server wrote since this session last read
    staff = db.exec(select(StaffUser).where(StaffUser.email == SITE_STAFF["facilitator"][0])
                    ).one()
    headset = db.exec(select(Headset).where(Headset.asset_tag == tag)).one()
    log_cleaning(db, headset, "wipes", staff, utcnow())
    db.commit()


def _row(page: Page, name: str):
    return page.locator("li.person", has_text=name)


def test_a_refresh_keeps_the_hand_out_choice_and_the_focus(page: Page, site: Site, db: Session):
    _desk(page, site)
    choice = _row(page, "Chloé").locator("select")
    suggested = choice.input_value()
    choice.focus()
    page.keyboard.press("ArrowDown")  # the facilitator picks another headset
    picked = choice.input_value()
    assert picked != suggested
    _clean(db, site.addresses["used_headset"])  # meanwhile her row's offer changes on the server
    _poll(page)
    expect(choice).to_be_focused()
    expect(choice).to_have_value(picked)  # not put back to the suggestion

    page.keyboard.press("Tab")  # the choice is unsent: the row still waits
    _poll(page)
    expect(choice).to_have_value(picked)
    page.keyboard.press("Enter")  # on "Hand out"
    expect(_row(page, "Chloé").locator(".row-msg.ok")).to_contain_text(picked)
    expect(page.locator(f"#headset-{picked}")).to_have_class(re.compile("status-in_use"))


def test_each_desk_action_puts_the_focus_on_its_answer(page: Page, site: Site):
    _desk(page, site)
    answer = page.locator(":focus")

    _row(page, "Dan").get_by_role("button").press("Enter")  # check in
    expect(answer).to_have_class(re.compile("row-msg ok"))
    expect(answer).to_contain_text("Dan")
    assert answer.evaluate(NOT_LIVE)  # read once, as the focus lands (not a live region too)
    page.keyboard.press("Tab")
    expect(_row(page, "Dan").locator("select")).to_be_focused()  # his hand-out list, next

    _row(page, "Dan").locator("button[type=submit]").press("Enter")  # hand out
    expect(answer).to_contain_text("Dan")
    tag = re.search(r"[A-Z]+-VR-\d+", answer.inner_text()).group(0)

    card = page.locator(f"#headset-{tag}")
    card.locator("form[action*='/returns'] button[type=submit]").press("Enter")  # take back
    expect(answer).to_have_attribute("id", f"msg-headset-{tag}")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("value", "wipes")  # the next step
    page.keyboard.press("Enter")  # cleaned
    expect(answer).to_have_attribute("id", f"msg-headset-{tag}")
    expect(card).to_have_class(re.compile("status-free"))

    page.locator("#checkin-code").fill("ZZZZ-ZZZZ")
    page.locator("#checkin-code").press("Enter")  # a refused code: back to the field
    expect(page.locator("#checkin-code")).to_be_focused()
    expect(page.locator("#checkin-code")).to_have_attribute("aria-invalid", "true")


def test_polls_keep_the_focus_on_a_check_in_button_and_a_headset_link(page: Page, site: Site,
                                                                      db: Session):
    _desk(page, site)
    button = _row(page, "Dan").get_by_role("button")
    button.focus()
    _clean(db, site.addresses["used_headset"])
    _poll(page)
    expect(button).to_be_focused()
    link = page.locator("#headset-MRS-VR-01 a.hs-tag")
    link.focus()
    _poll(page)
    expect(link).to_be_focused()
    expect(page.locator(f"#headset-{site.addresses['used_headset']}")).to_have_class(re.compile("status-free"))


def test_updates_pause_on_request_and_while_the_page_is_hidden(page: Page, site: Site,
                                                               db: Session):
    _desk(page, site)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith("/today") else None)
    pause = page.locator("[data-live-pause]")
    pause.click()
    expect(pause).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#desk-announce")).to_have_text(pause.get_attribute("data-say-paused"))
    elapsed = page.locator(f"#headset-{site.addresses['worn_headset']} .elapsed")
    shown = elapsed.inner_text()
    page.clock.run_for(3 * 60_000)  # three minutes: no poll, the timer stands still
    page.wait_for_timeout(300)
    assert polls == []
    expect(elapsed).to_have_text(shown)

    pause.click()
    expect(pause).to_have_attribute("aria-pressed", "false")
    page.wait_for_timeout(300)  # resuming polls at once
    assert len(polls) == 1
    page.evaluate("""() => {
        Object.defineProperty(document, "hidden", {value: true, configurable: true});
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    page.clock.run_for(3 * POLL)
    page.wait_for_timeout(300)
    assert len(polls) == 1


def test_the_home_page_says_only_what_changed_and_keeps_the_focus(page: Page, site: Site,
                                                                  db: Session):
    page.clock.install()
    page.goto(f"{site.url}/lang/en?next=/")
    slot = db.get(VRSession, int(site.addresses["slot"]))
    book = page.locator(f"#slot-tile-{slot.id} a.button")
    book.focus()
    db.commit()
    create_booking(db, BookingInput(slot_id=slot.id, name="Pia", age_confirmed=True,
                                    health_ack=True), utcnow())
    db.commit()
    _poll(page, "/", wait=21_000)
    expect(book).to_be_focused()  # it used to fall to the footer
    said = page.locator("#calendar-announce")
    expect(said).to_have_text(re.compile(r"^\d+:\d\d\s?[AP]M–\d+:\d\d\s?[AP]M: \d+ seats? left$"))
    assert page.locator("#calendar").evaluate(NOT_LIVE)  # the calendar itself is not read


def test_result_counts_are_said_from_regions_that_stay(page: Page, site: Site):
    page.goto(f"{site.url}/lang/en?next=/catalogue")
    count = page.locator("#catalogue-count")
    handle = count.element_handle()
    page.locator("#q").fill("soud")
    expect(count).to_have_text(re.compile(r"^\d+ jobs? found$"))
    assert handle.evaluate("el => el.isConnected")  # the same region, its text changed
    sign_in(page, site.url, SITE_STAFF["manager"][0])
    page.goto(f"{site.url}/staff/headsets")
    inventory = page.locator("#inventory-count")
    handle = inventory.element_handle()
    page.locator("#filter-state").select_option("lost")
    expect(inventory).to_have_text("0 headsets")
    assert handle.evaluate("el => el.isConnected")

