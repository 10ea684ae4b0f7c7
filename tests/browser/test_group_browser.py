"""A class visit from planning to closing, in a real browser (Debian's Chromium): a manager
plans a visit for a class of 28 with 10 headsets, imports the roster, prints the plan (print
emulation: one A4 page, no menus, black on white), checks the class in on the day and closes
it with the debriefing. Axe finds no serious violation on the pages on the way.

The server runs on the real clock: the visit is planned for tomorrow, then moved to now (the
day has come). Locators use ids and form actions rather than words, so the test holds in
French and English.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from factories import (
    MANAGER,
    PASSWORD,
    add_headsets,
    centre_today,
    charge,
    make_world,
    move_group,
    reread,
    roster_csv,
    serious_violations,
)
from vr_booking.models import Participant, VRSession, utcnow

pytestmark = pytest.mark.browser


@pytest.fixture
def marseille(db: Session, make_centre, make_staff, live_server):
    world = make_world(db, make_centre, make_staff)
    world.headsets += add_headsets(db, world.marseille, 7, prefix="MRS-XR-")
    return live_server, world


def sign_in(page: Page, url: str) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/staff/centres/marseille/groups")
    page.locator("#email").fill(MANAGER)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/staff/login'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/centres/marseille/groups$"))
    return errors


def plan_the_visit(page: Page, world) -> int:
    page.locator("a[href$='/groups/new']").click()
    page.locator("#kind").select_option("group_visit")
    page.locator("#title").fill("3e B — industrie")
    page.locator("#date").fill((centre_today(world.marseille) + timedelta(days=1)).isoformat())
    page.locator("#start_time").fill("09:30")
    page.locator("#end_time").fill("11:30")
    page.locator("#organisation").fill("Collège Jean Moulin")
    page.locator("#group_size").fill("28")
    page.locator("#min_age").fill("14")
    page.locator("#max_age").fill("15")
    page.locator("#accompanying_adult").fill("M. Dupont")
    page.locator("#minors_authorisation_holder").fill("Le collège")
    page.locator("#headsets").fill("10")
    page.locator("input[name=facilitators][value='sami@example.org']").check()
    page.locator("#group-form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/staff/groups/\d+\?saved=created$"))
    return int(re.search(r"/staff/groups/(\d+)", page.url).group(1))


def import_the_roster(page: Page, tmp_path) -> None:
    names = [(f"Élève {n:02d}", "", "13-17") for n in range(1, 29)]
    path = tmp_path / "3eB.csv"
    path.write_text(roster_csv(names), encoding="utf-8")
    page.locator("a[href$='/roster/import']").click()
    page.locator("#file").set_input_files(path)
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page.locator("table.stacked tbody tr")).to_have_count(28)
    page.locator("form[action$='/roster/import/confirm'] button[type=submit]").click()
    expect(page.locator("#roster")).to_contain_text("28")


def test_a_class_of_28_is_planned_printed_checked_in_and_closed(page: Page, marseille, db,
                                                              tmp_path):
    server, world = marseille
    errors = sign_in(page, server.url)
    group_id = plan_the_visit(page, world)
    rounds = page.locator("table.rounds tbody tr")
    expect(rounds).to_have_count(3)  # 28 on 10 headsets: 10, 9 and 9
    expect(page.locator("ul.warnings")).to_have_count(0)
    assert serious_violations(page) == []

    import_the_roster(page, tmp_path)
    expect(rounds.first).to_contain_text("Élève 01")

    page.locator(f"a[href$='/groups/{group_id}/plan']").click()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("[data-print]")).to_be_hidden()
    expect(page.locator(".print-plan table.rounds tbody tr")).to_have_count(3)
    colours = page.evaluate("""() => [...document.querySelectorAll('.print-plan *')]
        .map(e => getComputedStyle(e).color)""")
    assert set(colours) == {"rgb(0, 0, 0)"}  # black and white
    page.screenshot(path=tmp_path / "plan-print.png", full_page=True)
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one A4 page
    page.emulate_media(media="screen")
    expect(page.locator("[data-print]")).to_be_visible()  # print.js shows the button

    group = move_group(db, group_id, utcnow() - timedelta(minutes=10))  # the day has come
    charge(db, world.headsets, 100, utcnow() - timedelta(hours=1))
    page.goto(f"{server.url}/staff/centres/marseille/today")
    article = page.locator(f"#group-{group_id}")
    expect(article.locator("section.round")).to_have_count(3)
    article.locator("form[action*='/all-present'] button[type=submit]").click()
    expect(page.locator("#desk-flash")).to_contain_text("28")
    expect(article.locator("form[action*='/checkin']")).to_have_count(0)  # all are in
    assert serious_violations(page) == []

    article.locator("a[href$='/close']").click()
    page.locator("#debrief").focus()
    page.keyboard.type("Classe curieuse : beaucoup de questions sur la soudure.")
    expect(page.locator("#attendance")).to_have_value("28")
    page.locator("#attendance").press("Enter")  # the keyboard alone submits the form
    expect(page).to_have_url(re.compile(rf"/staff/groups/{group_id}\?saved=closed$"))
    assert serious_violations(page) == []
    group = reread(db, group)
    assert (group.status, group.attendance) == ("closed", 28)
    assert db.exec(select(Participant).where(Participant.checked_in_at.is_(None))).all() == []
    assert errors == []


def test_the_calendar_works_on_a_phone(page: Page, marseille, db):
    server, world = marseille
    sign_in(page, server.url)
    page.set_viewport_size({"width": 360, "height": 740})
    day = centre_today(world.marseille) + timedelta(days=1)
    db.add(VRSession(centre_id=world.marseille.id, kind="workshop", title="Atelier CV",
                     starts_at=utcnow() + timedelta(days=1), ends_at=utcnow() + timedelta(
                         days=1, hours=1)))
    db.commit()
    for view in ("week", "month"):
        page.goto(f"{server.url}/staff/calendar?view={view}&day={day.isoformat()}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        expect(page.get_by_role("link", name="Atelier CV")).to_be_visible()
        assert serious_violations(page) == []


def test_the_network_calendar_pages_its_centres_on_a_phone(page: Page, marseille, make_centre):
    """More centres than a page holds: the pager is reached and followed with the keyboard,
    and the page reflows to 360 px without serious accessibility violations."""
    server, world = marseille
    for n in range(1, 21):  # with Marseille and Gap, 22 centres the hub's manager sees
        make_centre(f"assoc-{n:02d}", name=f"Antenne {n:02d}", kind="associated",
                    hub_id=world.marseille.id)
    sign_in(page, server.url)
    page.set_viewport_size({"width": 360, "height": 740})
    for language in ("fr", "en"):
        page.goto(f"{server.url}/staff/calendar?lang={language}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert serious_violations(page) == []
    pager = page.get_by_role("navigation", name="Centres shown")
    expect(pager).to_contain_text("Centres 1 to 20 of 22, by name")
    pager.get_by_role("link", name="Next centres →").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.get_by_role("navigation", name="Centres shown")).to_contain_text(
        "Centres 21 to 22 of 22, by name")
    assert serious_violations(page) == []
