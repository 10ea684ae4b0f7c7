"""Details that make pages usable (issue 9 item 10, issue 10 point 8): the error page knows
who is signed in, errors are said where the page opens and in its title, required fields
are explained, the language switch keeps the search, links name their day."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from factories import csrf_from, login


def test_a_missing_page_keeps_the_staff_menu(client: TestClient, make_centre, make_staff):
    make_centre("hub")
    make_staff("fac@example.org", centres=("hub",))
    anonymous = client.get("/no/such/page?lang=en")
    assert anonymous.status_code == 404
    assert "Staff sign-in" in anonymous.text
    login(client, "fac@example.org")
    page = client.get("/no/such/page?lang=en")
    assert page.status_code == 404
    assert "Sign out" in page.text
    assert "Staff sign-in" not in page.text
    assert "Back to the staff area" in page.text


def test_a_refused_rule_is_said_at_the_top_with_links_to_the_fields(client, make_open_access,
                                                                    make_staff):
    hub = make_open_access("hub")
    make_staff("mia@example.org", role="manager", centres=("hub",))
    login(client, "mia@example.org")
    token = csrf_from(client, "/staff/centres/hub/open-access")
    page = client.post("/staff/centres/hub/open-access/rules?lang=en", data={
        "csrftoken": token, "rule_id": str(hub.rule.id), "weekday": "2", "start_time": "16:00",
        "end_time": "14:00", "seat_minutes": "20", "buffer_minutes": "2", "horizon_weeks": "2",
        "walk_in_reserve": "0", "is_active": "true"})
    assert page.status_code == 422
    assert "<title>Error: Open access" in page.text
    main = page.text.split("<main", 1)[1]
    summary = main.index('id="form-errors"')
    assert summary < main.index("<h2")  # before the rules table, not in the folded form
    assert f'href="#r{hub.rule.id}-end_time">The end must be after the start.' in main
    assert re.search(r'<details open>\s*<summary>Edit the Wednesday rule', main)
    assert f'id="r{hub.rule.id}-end_time"' in main


def test_the_booking_form_explains_the_asterisk_and_requires_its_boxes(client,
                                                                        make_open_access):
    slot = make_open_access().slots[0]
    page = client.get(f"/book/{slot.id}?lang=en").text
    assert "Fields marked with an asterisk (*) are required." in page
    for box in ("age_confirmed", "health_ack"):
        assert re.search(rf'id="{box}"[^>]* required', page)
    failed = client.post(f"/book/{slot.id}?lang=en", data={
        "csrftoken": csrf_from(client, f"/book/{slot.id}"), "name": ""})
    assert "<title>Error: Book a seat" in failed.text
    assert re.search(r'id="form-errors" autofocus', failed.text)  # focus goes to the summary


def test_switching_language_keeps_the_search(client: TestClient):
    page = client.get("/catalogue?q=soudeur&lang=fr").text
    switch = re.search(r'href="([^"]*/lang/en[^"]*)"', page).group(1).replace("&amp;", "&")
    answer = client.get(switch, follow_redirects=False)
    assert answer.headers["location"] == "/catalogue?q=soudeur"


def test_book_links_name_their_day(client: TestClient, db: Session, make_open_access):
    make_open_access()
    page = client.get("/?lang=en").text
    assert re.search(r'aria-label="Book Wednesday, [A-Z][a-z]+ \d+, \d{4}, 2:00\s?PM–2:20\s?PM"',
                     page)


def test_links_are_looked_up_once_per_router(client: TestClient, app, make_centre, make_staff):
    """Starlette tries every route to find a link's path; the templates keep what they found
    on the router, so the second drawing of a page looks nothing up again."""
    from vr_booking.web.templating import known_paths

    make_centre("hub")
    make_staff("fac@example.org", centres=("hub",))
    login(client, "fac@example.org")
    first = client.get("/staff/calendar?centre=hub")
    paths = dict(known_paths(app.router))
    assert ("groups", (("slug", "hub"),)) in paths
    second = client.get("/staff/calendar?centre=hub")
    assert second.text.count("href=") == first.text.count("href=")
    assert known_paths(app.router) == paths
    assert all(known_paths(app.router)[key] is path for key, path in paths.items())


def test_numbers_read_as_babel_writes_them():
    """The report tables' counts take a short way; it writes what Babel writes."""
    from decimal import Decimal

    from babel.numbers import format_decimal

    from vr_booking.i18n import current_language
    from vr_booking.numbers import local_number

    for language in ("fr", "en"):
        token = current_language.set(language)
        try:
            for value in (0, 7, -1, 999, 1000, -1234567, 10**12, 12.25, 12.35, -0.05, -0.04,
                          0.05, 3.0, 1234.56, 99.95, 1e15, float("inf"), 20.0, -0.0, 0.1,
                          -2.5, 1234567.5, 1e16, 1.5e16, -1e22, 1e-05, 2.5e-07, 0.95, 27.9,
                          Decimal("12.25"), Decimal("-3.0"), Decimal("7")):
                assert local_number(value) == format_decimal(value, format="#,##0.#",
                                                             locale=language)
        finally:
            current_language.reset(token)
        assert local_number(None) == "—"


def test_chart_values_read_as_babel_writes_them():
    """A network's charts have a bar a centre: their values take the same short way."""
    from babel.numbers import format_decimal

    from vr_booking.i18n import current_language
    from vr_booking.services.reports.charts import bar_chart

    values = [1234.5, 12.25, 7, 0.05, 99.9]
    for language in ("fr", "en"):
        token = current_language.set(language)
        try:
            svg = bar_chart([(f"Centre {n}", value) for n, value in enumerate(values)], "%")
            written = [format_decimal(value, format="#,##0.#", locale=language)
                       for value in values]
            assert [f">{text} %</text>" in svg for text in written] == [True] * len(values)
        finally:
            current_language.reset(token)
