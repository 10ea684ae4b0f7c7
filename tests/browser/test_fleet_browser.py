"""The inventory in a real browser: htmx filters swap the table without reloading the page."""

import re

import pytest
from playwright.sync_api import Page, expect

from factories import MANAGER, PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in(page: Page, demo, make_staff, live_server) -> str:
    make_staff(MANAGER, role="manager", centres=("marseille",))
    page.goto(live_server.url + "/staff/login")
    page.locator("#email").fill(MANAGER)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff$"))
    return live_server.url


def test_filters_swap_the_table_in_place(page: Page, signed_in: str):
    page.goto(signed_in + "/staff/headsets")
    expect(page.locator("#inventory tbody tr")).to_have_count(10)
    page.evaluate("window.stillTheSamePage = true")

    page.locator("#filter-state").select_option("maintenance")
    expect(page.locator("#inventory tbody tr")).to_have_count(0)
    expect(page.locator("#inventory .empty")).to_be_visible()
    expect(page).to_have_url(re.compile(r"state=maintenance"))
    assert page.evaluate("window.stillTheSamePage") is True  # no full reload

    page.locator("#filter-state").select_option("")
    page.locator("#filter-centre").select_option("marseille")
    expect(page.locator("#inventory tbody tr")).to_have_count(10)
    page.get_by_role("link", name="MRS-VR-03").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("MRS-VR-03")
