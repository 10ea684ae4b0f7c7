"""Calendar views (week and month, one centre or the network) and a centre's ICS feed behind
an unguessable, revocable address."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session

from factories import (
    FACILITATOR,
    GAP_FACILITATOR,
    MANAGER,
    add_headsets,
    centre_today,
    confirmed_bookings,
    login,
    make_world,
    open_access_slot,
    plan_group,
    post_form,
)

CALENDAR = "/staff/calendar?lang=en"


@pytest.fixture
def world(db: Session, make_centre, make_staff):
    world = make_world(db, make_centre, make_staff)
    add_headsets(db, world.gap, 2, prefix="GAP-VR-")
    confirmed_bookings(db, open_access_slot(db, world.marseille), 2)  # in two days, 14:00
    plan_group(db, world.marseille, title="Classe de 3e B", days=3)
    plan_group(db, world.gap, title="Atelier à Gap", days=3, headsets=1)
    return world


def day_param(world, days: int) -> str:
    return (centre_today(world.marseille) + timedelta(days=days)).isoformat()


def test_the_week_shows_open_access_and_group_sessions_together(client, world):
    login(client, FACILITATOR)
    page = client.get(f"{CALENDAR}&centre=marseille&day={day_param(world, 3)}").text
    assert "Classe de 3e B" in page
    assert "Atelier à Gap" not in page  # another centre
    assert 'rel="next"' in page
    assert 'rel="prev"' in page
    page = client.get(f"{CALENDAR}&centre=marseille&day={day_param(world, 2)}").text
    assert re.search(r">Open access</a>\s*<span class=\"muted\">· 1 slot · 2 booked", page)


def test_the_month_lists_each_day_and_links_the_sessions(client, world, db):
    login(client, FACILITATOR)
    page = client.get(f"{CALENDAR}&centre=marseille&view=month&day={day_param(world, 3)}")
    assert page.status_code == 200
    assert 'class="month"' in page.text
    assert re.search(r'href="[^"]*/staff/groups/\d+">Classe de 3e B</a>', page.text)


def test_the_network_view_shows_every_centre_the_person_sees(client, world):
    login(client, MANAGER)  # manager of the hub: sees Gap, the centre it leads
    page = client.get(f"{CALENDAR}&day={day_param(world, 3)}").text
    assert "Classe de 3e B" in page
    assert "Atelier à Gap" in page
    client.cookies.clear()
    login(client, GAP_FACILITATOR)
    page = client.get(f"{CALENDAR}&day={day_param(world, 3)}").text
    assert "Atelier à Gap" in page
    assert "Classe de 3e B" not in page
    assert client.get(f"{CALENDAR}&centre=marseille").status_code == 403


def test_bad_calendar_parameters_answer_422_not_500(client, world):
    login(client, FACILITATOR)
    for query in ("view=year", "day=1999-01-01", "day=²", "centre=nowhere"):
        assert client.get(f"{CALENDAR}&{query}").status_code in {404, 422}


def make_feed(client: TestClient, label: str = "Sami's phone") -> str:
    page = post_form(client, "/staff/centres/marseille/calendar-feeds?lang=en",
                     {"label": label})
    assert page.status_code == 200
    assert "it is shown only once" in page.text
    return re.search(r'id="new-url" class="url wide" readonly value="([^"]+)"',
                     page.text).group(1)


def test_a_feed_gives_the_centres_sessions_to_a_calendar_app(client, world):
    login(client, MANAGER)
    url = make_feed(client)
    assert url.startswith("http://testserver/calendar-feeds/")
    assert len(url.rsplit("/", 1)[1]) > 40  # unguessable
    client.cookies.clear()  # a calendar app has no staff session
    answer = client.get(url.removeprefix("http://testserver"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert {"Classe de 3e B", "Accès libre"} <= set(events)  # French, the default language
    assert "Atelier à Gap" not in events
    start = events["Classe de 3e B"].decoded("dtstart")
    assert (str(start.tzinfo), start.strftime("%H:%M")) == ("Europe/Paris", "09:30")
    assert calendar.walk("VTIMEZONE")


def test_a_revoked_feed_stops_answering(client, world, db):
    login(client, MANAGER)
    url = make_feed(client).removeprefix("http://testserver")
    page = client.get("/staff/centres/marseille/calendar-feeds?lang=en").text
    feed_id = re.search(r"/calendar-feeds/(\d+)/revoke", page).group(1)
    post_form(client, f"/staff/centres/marseille/calendar-feeds/{feed_id}/revoke")
    assert client.get(url).status_code == 404
    assert client.get("/calendar-feeds/not-a-real-token.ics").status_code == 404


def test_only_managers_make_feeds(client, world):
    login(client, FACILITATOR)
    assert client.get("/staff/centres/marseille/calendar-feeds").status_code == 403
    assert post_form(client, "/staff/centres/marseille/calendar-feeds",
                     {"label": "x"}).status_code == 403


def test_a_feed_needs_a_label(client, world):
    login(client, MANAGER)
    page = post_form(client, "/staff/centres/marseille/calendar-feeds?lang=en", {"label": ""})
    assert page.status_code == 422
    assert 'id="label-error"' in page.text


def test_the_network_calendar_shows_a_page_of_centres_at_a_time(client, db, make_centre,
                                                                 make_staff):
    """An administrator of a big network sees a page of centres at a time, by name; the week
    and month links keep the page, and the picker still reaches every centre."""
    from vr_booking.web.pages.group_calendar import CENTRES_PER_PAGE

    centres = [make_centre(f"c{n:02d}", name=f"Centre {n:02d}")
               for n in range(1, CENTRES_PER_PAGE + 2)]
    for centre in (centres[0], centres[-1]):
        add_headsets(db, centre, 1, prefix=f"{centre.slug.upper()}-VR-")
        plan_group(db, centre, title=f"Atelier {centre.name}", days=3, headsets=1)
    make_staff("root@example.org", role="admin")
    login(client, "root@example.org")
    day = (centre_today(centres[0]) + timedelta(days=3)).isoformat()
    last = f"Atelier Centre {CENTRES_PER_PAGE + 1:02d}"
    first = client.get(f"{CALENDAR}&day={day}").text
    assert "Atelier Centre 01" in first
    assert last not in first
    assert f"Centres 1 to {CENTRES_PER_PAGE} of {CENTRES_PER_PAGE + 1}, by name" in first
    assert re.search(r'href="[^"]*page=2[^"]*">Next centres', first)
    assert first.count('<option value="c') == CENTRES_PER_PAGE + 1  # the picker: every one
    second = client.get(f"{CALENDAR}&day={day}&page=2").text
    assert last in second
    assert "Atelier Centre 01" not in second
    assert "Previous centres" in second
    assert "Next centres" not in second
    week_links = re.findall(r'<a href="([^"]*)" rel="(?:next|prev)"', second)
    assert week_links
    assert all("page=2" in link.replace("&amp;", "&") for link in week_links)
    assert 'name="page" value="2"' in second
    past_the_end = client.get(f"{CALENDAR}&day={day}&page=9").text
    assert last in past_the_end  # the last page
    one = client.get(f"{CALENDAR}&day={day}&page=2&centre=c01").text
    assert "Atelier Centre 01" in one
    assert "Centres shown" not in one


def test_day_headings_keep_the_month_s_capital_in_english(client, world):
    """Only the first letter is raised ("lundi" → "Lundi"): English months keep theirs."""
    login(client, FACILITATOR)
    day = centre_today(world.marseille) + timedelta(days=3)
    page = client.get(f"{CALENDAR}&centre=marseille&day={day.isoformat()}").text
    heading = re.search(rf'<h3 id="day-{day.isoformat()}">([^<]+)', page).group(1)
    assert day.strftime("%B") in heading  # "December", not "december"
    french = client.get(f"/staff/calendar?lang=fr&centre=marseille&day={day.isoformat()}").text
    heading = re.search(rf'<h3 id="day-{day.isoformat()}">([^<]+)', french).group(1)
    assert heading[0].isupper()  # "Jeudi 10 décembre 2026"
    assert heading.split()[1:] == [w.lower() for w in heading.split()[1:]]
