"""Live search in a real browser: htmx swaps the results in place and keeps the URL shareable."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def catalogue_server(demo, live_server):
    return live_server


def test_typing_updates_the_results_without_reloading(page: Page, catalogue_server):
    page.goto(catalogue_server.url + "/catalogue")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("searchbox").press_sequentially("metiers")
    expect(page.locator('#catalogue-results a[href$="/catalogue/jobs/macon"]')).to_be_visible()
    expect(page.locator('#catalogue-results a[href$="/catalogue/jobs/soudeur"]')).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/catalogue\?q=metiers"))
    assert page.evaluate("window.notReloaded") is True


def test_choosing_a_domain_filters_in_place(page: Page, catalogue_server):
    page.goto(catalogue_server.url + "/catalogue")
    page.evaluate("window.notReloaded = true")
    page.locator("#domain").select_option("H")
    expect(page.locator('#catalogue-results a[href$="/catalogue/jobs/soudeur"]')).to_be_visible()
    expect(page.locator('#catalogue-results a[href$="/catalogue/jobs/macon"]')).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True
    page.locator('#catalogue-results a[href$="/catalogue/jobs/soudeur"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Soudeur / Soudeuse")
    page.go_back()
    expect(page.locator('#catalogue-results a[href$="/catalogue/jobs/soudeur"]')).to_be_visible()
    expect(page.locator("#domain")).to_have_value("H")
