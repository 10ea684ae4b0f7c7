"""axe-core (through axe-playwright-python, in the system Chromium) finds no serious or
critical accessibility violation on the main pages, public and staff."""

import pytest
from playwright.sync_api import Page
from sqlmodel import select

from factories import PASSWORD, serious_violations
from vr_booking.models import Booking, Job, VRSession, utcnow
from vr_booking.services.open_access.booking import BookingInput, create_booking

pytestmark = pytest.mark.browser


@pytest.fixture
def site(demo, make_staff, live_server):
    make_staff("camille@example.org", role="manager", centres=("marseille",),
               can_edit_catalogue=True)
    slot = demo.exec(select(VRSession).where(VRSession.kind == "open_access",
                                             VRSession.starts_at > utcnow())
                     .order_by(VRSession.starts_at)).first()
    job = demo.exec(select(Job)).first()
    create_booking(demo, BookingInput(slot_id=slot.id, name="Ana", age_confirmed=True,
                                      health_ack=True, job_ids=[job.id]), utcnow())
    demo.commit()
    token = demo.exec(select(Booking.token)).one()
    demo.commit()
    return live_server, slot, job, token


def test_public_pages_have_no_serious_violations(page: Page, site):
    server, slot, job, token = site
    found = {}
    for path in ("/", f"/book/{slot.id}", f"/b/{token}", f"/b/{token}/change", "/catalogue",
                 "/catalogue?q=soudeur", f"/catalogue/jobs/{job.slug}", "/staff/login",
                 "/h/MRS-VR-01", "/no/such/page"):
        page.goto(server.url + path)
        found[path] = serious_violations(page)
    page.goto(f"{server.url}/book/{slot.id}")
    page.get_by_role("button").last.click()  # empty form: the error state
    found["booking form with errors"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_staff_pages_have_no_serious_violations(page: Page, site):
    server, _slot, _job, _token = site
    page.goto(server.url + "/staff/login")
    page.locator("#email").fill("camille@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(server.url + "/staff")
    found = {}
    for path in ("/staff", "/staff/centres/marseille", "/staff/centres/marseille/today",
                 "/staff/centres/marseille/open-access", "/staff/headsets",
                 "/staff/headsets/MRS-VR-01", "/staff/centres/marseille/labels",
                 "/staff/centres/marseille/videos", "/staff/catalogue",
                 "/staff/catalogue/import", "/staff/catalogue/jobs/new"):
        page.goto(server.url + path)
        found[path] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_the_checker_does_catch_a_bad_page(page: Page):
    """Control: the same check fails on a page with known faults."""
    page.set_content('<html><body><img src="x.png"><input type="text">'
                     '<button></button></body></html>')
    assert len(serious_violations(page)) >= 2
