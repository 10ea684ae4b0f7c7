"""The Today page in a real browser (Debian's Chromium): sign in, check in, no JS errors.

The server runs on the real clock, so the slot here starts now. Chromium's fake camera plays a
ticket's QR code for the camera check-in (the reader is static/js/qr_camera.js, shared with the
loans' hand-overs).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from factories import camera_browser, sign_in_to_today
from vr_booking.services.open_access.booking import BookingInput, create_booking

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def today(db: Session, make_open_access, make_slot_now, make_staff, live_server):
    """A slot starting now with Ana and Ben booked; a facilitator of the centre."""
    open_access = make_open_access("hub", headsets=3)
    slot = make_slot_now(open_access)
    start = slot.starts_at
    bookings = [create_booking(db, BookingInput(slot_id=slot.id, name=name, age_confirmed=True,
                                                health_ack=True),
                               start - timedelta(hours=1)).booking for name in ("Ana", "Ben")]
    db.commit()
    make_staff("fac@example.org", centres=("hub",))
    return live_server, bookings


def test_facilitator_types_a_short_code_and_sees_the_person_checked_in(page: Page, today):
    server, (ana, _ben) = today
    errors = sign_in_to_today(page, server.url)
    expect(page.locator("#camera-start")).to_be_visible()  # checkin.js ran

    code = ana.short_code
    page.locator("#checkin-code").fill(f" {code[:4].lower()}-{code[4:].lower()}")
    page.locator("#checkin-form").get_by_role("button").click()

    ana_row = page.locator("#board li.status-checked_in", has_text="Ana")
    expect(ana_row.locator(".row-msg.ok")).to_be_focused()  # the answer, in her row
    expect(ana_row.locator(".row-msg.ok")).to_contain_text("Ana")
    expect(page.locator("#checkin-code")).to_have_value("")
    assert errors == []


def test_a_scanned_token_and_a_refusal_show_in_the_result(page: Page, today):
    server, (_ana, ben) = today
    errors = sign_in_to_today(page, server.url)
    page.evaluate("""token => {
        document.getElementById("checkin-token").value = token;
        document.getElementById("checkin-form").requestSubmit();
    }""", ben.token)  # what checkin.js does with a QR code it read
    expect(page.locator("#board li.status-checked_in")).to_contain_text("Ben")

    page.locator("#checkin-code").fill("ZZZZ-ZZZZ")
    page.locator("#checkin-form").get_by_role("button").click()
    expect(page.locator("#msg-checkin.error")).to_be_visible()  # a 404, shown by the field
    expect(page.locator("#checkin-code")).to_be_focused()  # to correct it
    expect(page.locator("#checkin-code")).to_have_value("ZZZZ-ZZZZ")
    assert errors == []


def test_the_vendored_qr_reader_decodes_our_ticket(page: Page, today):
    server, (ana, _ben) = today
    sign_in_to_today(page, server.url)
    decoded = page.evaluate("""async ticket => {
        const scanner = document.getElementById("scanner");
        await new Promise((ok, fail) => {
            const script = document.createElement("script");
            script.src = scanner.dataset.jsqrSrc;
            script.onload = ok;
            script.onerror = fail;
            document.head.appendChild(script);
        });
        const image = new Image();
        image.src = ticket + "/qr.png";
        await image.decode();
        const canvas = document.createElement("canvas");
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext("2d");
        context.drawImage(image, 0, 0);
        const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
        return jsQR(pixels.data, pixels.width, pixels.height).data;
    }""", f"{server.url}/b/{ana.token}")
    assert decoded == f"{server.url}/b/{ana.token}"


def test_without_a_camera_the_button_says_so(page: Page, today):
    server, _bookings = today
    errors = sign_in_to_today(page, server.url)
    page.get_by_role("button", name=re.compile("cam[eé]ra", re.I)).first.click()
    status = page.locator("#camera-status")
    scanner = page.locator("#scanner")
    refusals = [scanner.get_attribute("data-msg-denied"),
                scanner.get_attribute("data-msg-unavailable")]
    expect(status).to_have_text(re.compile("|".join(re.escape(m) for m in refusals)))
    expect(page.locator("#camera-start")).to_be_enabled()
    assert errors == []


def test_today_fits_a_phone_screen(page: Page, today):
    server, _bookings = today
    page.set_viewport_size(PHONE)
    sign_in_to_today(page, server.url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]


def test_the_camera_checks_in_the_ticket_it_reads(browser_type, browser_type_launch_args,
                                                  today, tmp_path):
    server, (ana, _ben) = today
    with camera_browser(browser_type, browser_type_launch_args, tmp_path / "ticket.y4m",
                        f"{server.url}/b/{ana.token}") as browser:
        page = browser.new_page(locale="fr-FR")  # sign_in_to_today reads the French form
        errors = sign_in_to_today(page, server.url)
        page.locator("#camera-start").click()
        expect(page.locator("#board li.status-checked_in")).to_contain_text("Ana",
                                                                            timeout=15_000)
        page.locator("#camera-stop").click()
        expect(page.locator("#camera-video")).to_be_hidden()
        expect(page.locator("#camera-start")).to_be_visible()
        assert errors == []
