"""A loan in a real browser: Marseille's manager lends three headsets to Gap for a week from
the allocation board, prints the transfer slip (its QR codes decode with zbarimg), hands
them over by typed scans; Gap's facilitator receives them by scanner-typed labels; the
manager takes them back. The loan pages have no serious accessibility violation."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from factories import (
    GAP_FACILITATOR,
    MANAGER,
    PASSWORD,
    LoanNetwork,
    camera_browser,
    centre_today,
    decode_qr,
    lend_through_service,
    make_loan_network,
    needs_zbarimg,
    reread,
    serious_violations,
)
from vr_booking.models import Loan

pytestmark = pytest.mark.browser
TAGS = ["MRS-VR-01", "MRS-VR-02", "MRS-VR-03"]


@pytest.fixture
def network(db: Session, make_centre, make_staff, live_server) -> LoanNetwork:
    return make_loan_network(db, make_centre, make_staff)


def sign_in(page: Page, url: str, email: str, then: str) -> list[str]:
    """Sign in through the form (in English) and open ``then``; returns the JS errors seen."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.context.clear_cookies()
    page.goto(f"{url}/lang/en?next=/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff$"))
    page.goto(url + then)
    return errors


def lend_from_the_board(page: Page, url: str, network: LoanNetwork) -> int:
    page.goto(f"{url}/staff/centres/marseille/board")
    page.evaluate("window.stillTheSamePage = true")
    today = centre_today(network.marseille)
    page.locator("#board-next").click()  # htmx: the next week, without reloading
    expect(page).to_have_url(re.compile(f"start={today + timedelta(days=7)}"))
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.evaluate("document.activeElement.id") == "board-next"  # focus kept
    page.locator("#board-today").click()
    expect(page).to_have_url(re.compile(f"start={today}"))
    for tag in TAGS:  # from the keyboard: focus each box and press the space bar
        page.locator(f"#pick-{tag}").focus()
        page.keyboard.press("Space")
    page.locator("#to_centre").select_option("gap")
    page.locator("#start_date").fill(today.isoformat())
    page.locator("#end_date").fill((today + timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Lend", exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/loans/\d+\?saved=created$"))
    expect(page.get_by_role("status")).to_contain_text("The loan is planned")
    return int(re.search(r"/staff/loans/(\d+)", page.url).group(1))


def check_the_slip(page: Page, url: str, tmp_path) -> None:
    page.get_by_role("link", name="Transfer slip (to print)").click()
    expect(page.locator(".slip-qr")).to_have_count(3)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".signature-box")).to_have_count(2)
    for index, tag in enumerate(TAGS):
        image = tmp_path / f"slip-{tag}.png"
        page.locator(".slip-qr").nth(index).screenshot(path=str(image))
        assert decode_qr(image) == f"{url}/h/{tag}"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")


def scan(page: Page, lines: list[str]) -> None:
    """Type scans into the field as a USB scanner does: each label, then Enter."""
    page.locator("#scanned").focus()
    for line in lines:
        page.keyboard.type(line)
        page.keyboard.press("Enter")
    expect(page.locator("#scan-check [role=status]")).to_contain_text(
        f"{len(TAGS)} of {len(TAGS)} headsets scanned")


@needs_zbarimg
def test_lend_print_hand_over_receive_and_take_back(page: Page, live_server, network, db,
                                                    tmp_path):
    url = live_server.url
    errors = sign_in(page, url, MANAGER, "/staff")
    loan_id = lend_from_the_board(page, url, network)
    loan = db.get(Loan, loan_id)
    check_the_slip(page, url, tmp_path)

    page.goto(f"{url}/staff/loans/{loan_id}")
    page.get_by_role("link", name="Hand the headsets over (scan)").click()
    scan(page, TAGS)
    page.locator("#counterpart").fill("Transporteur Alpes")
    page.get_by_role("button", name="Record the hand-over").click()
    expect(page.get_by_role("status")).to_contain_text("on their way")
    assert reread(db, loan).status == "in_transit"

    errors += sign_in(page, url, GAP_FACILITATOR, f"/staff/loans/{loan_id}")
    page.get_by_role("link", name="Receive the headsets (scan)").click()
    scan(page, [f"{url}/h/{tag}" for tag in TAGS])  # what a scanner reads from the labels
    page.get_by_role("button", name="Record the receipt").click()
    expect(page.get_by_role("status")).to_contain_text("received")
    assert reread(db, loan).status == "active"

    errors += sign_in(page, url, MANAGER, f"/staff/loans/{loan_id}")
    page.get_by_role("link", name="Take the headsets back (scan)").click()
    scan(page, TAGS)
    page.locator("#condition_MRS-VR-02").select_option("damaged")
    page.locator("#notes_MRS-VR-02").fill("cracked strap")
    page.get_by_role("button", name="Record the return").click()
    expect(page.get_by_role("status")).to_contain_text("back")
    assert reread(db, loan).status == "returned"
    expect(page.locator("main")).to_contain_text("cracked strap")
    assert errors == []


def test_a_clash_on_the_board_offers_free_headsets(page: Page, live_server, network):
    url = live_server.url
    sign_in(page, url, MANAGER, "/staff/centres/marseille/board")
    for tag in ("MRS-VR-01", "MRS-VR-02"):
        page.locator(f"#pick-{tag}").check()
    page.locator("#to_centre").select_option("gap")
    page.get_by_role("button", name="Lend", exact=True).click()
    page.goto(f"{url}/staff/centres/marseille/board")
    page.locator("#pick-MRS-VR-01").check()
    page.locator("#to_centre").select_option("gap")
    page.get_by_role("button", name="Lend", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("MRS-VR-01 is lent to")
    page.locator("#alt-MRS-VR-03").check()
    page.locator("#pick-MRS-VR-01").uncheck()
    page.get_by_role("button", name="Lend", exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/loans/\d+\?saved=created$"))
    expect(page.locator("main table")).to_contain_text("MRS-VR-03")


def test_days_are_picked_in_the_boards_header(page: Page, live_server, network):
    """With JavaScript, pressing a first and a last day (or week) fills the dates."""
    url = live_server.url
    errors = sign_in(page, url, MANAGER, "/staff/centres/marseille/board")
    today = centre_today(network.marseille)
    days = page.locator(".pick-day")
    expect(days).to_have_count(7)
    days.nth(5).click()
    days.nth(2).focus()  # the keyboard works too, and the order does not matter
    page.keyboard.press("Enter")
    expect(page.locator("#start_date")).to_have_value((today + timedelta(days=2)).isoformat())
    expect(page.locator("#end_date")).to_have_value((today + timedelta(days=5)).isoformat())
    expect(page.locator("#pick-status")).to_contain_text("Days chosen")
    expect(days.nth(3)).to_have_attribute("aria-pressed", "true")
    expect(days.nth(6)).to_have_attribute("aria-pressed", "false")

    page.locator("#board-view-weeks").click()  # htmx swaps the board: new buttons work
    expect(page).to_have_url(re.compile("view=weeks"))
    page.locator(".pick-day").nth(1).click()
    page.locator(".pick-day").nth(1).click()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    expect(page.locator("#start_date")).to_have_value(monday.isoformat())
    expect(page.locator("#end_date")).to_have_value((monday + timedelta(days=6)).isoformat())
    assert errors == []


def test_loan_pages_have_no_serious_violations(page: Page, live_server, network, db):
    url = live_server.url
    sign_in(page, url, MANAGER, "/staff")
    loan = lend_through_service(db, network, TAGS)
    found = {}
    for path in ("/staff/centres/marseille/board", "/staff/centres/marseille/board?view=weeks",
                 "/staff/centres/marseille/network", "/staff/loans",
                 f"/staff/loans/{loan.id}", f"/staff/loans/{loan.id}/dispatch",
                 f"/staff/loans/{loan.id}/slip"):
        page.goto(url + path)
        found[path] = serious_violations(page)
    page.goto(f"{url}/staff/loans/{loan.id}/dispatch")
    page.get_by_role("button", name="Record the hand-over").click()  # nothing scanned
    found["dispatch with errors"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}


# --- the camera -----------------------------------------------------------------------------

def test_the_camera_adds_a_scanned_label_to_the_list(browser_type, browser_type_launch_args,
                                                      live_server, network, db, tmp_path):
    """Chromium's fake camera plays a video of MRS-VR-01's label: the page reads it."""
    url = live_server.url
    loan = lend_through_service(db, network, TAGS)
    with camera_browser(browser_type, browser_type_launch_args, tmp_path / "label.y4m",
                        f"{url}/h/MRS-VR-01") as browser:
        page = browser.new_page()
        errors = sign_in(page, url, MANAGER, f"/staff/loans/{loan.id}/dispatch")
        page.get_by_role("button", name="Scan with the camera").click()
        expect(page.locator("#scanned")).to_have_value(re.compile(r"^MRS-VR-01\s*$"),
                                                       timeout=15_000)
        expect(page.locator("#scan-camera-status")).to_contain_text("MRS-VR-01")
        expect(page.locator("#scan-check [role=status]")).to_contain_text(
            "1 of 3 headsets scanned")
        page.get_by_role("button", name="Stop the camera").click()
        expect(page.locator("#scan-camera-video")).to_be_hidden()
        assert errors == []
