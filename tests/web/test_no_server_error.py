"""The eight causes of HTTP 500 found by probing (issue 9, item 11), each with its test, and a
small bounded fuzz of every staff and public form: odd values get a clear answer, never 500."""

import itertools
from datetime import UTC, date, datetime, time

import time_machine
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import fleet_catalogue, login, post_form
from vr_booking.models import Closure, OpenAccessRule, Video, VRSession
from vr_booking.services.open_access.rules import RuleInput, save_rule
from vr_booking.services.open_access.slots import generate_slots
from vr_booking.services.timeutil import to_local

ODD_VALUES = ["²", "0001-01-01", "9999-12-31T23:59", str(2**63), "\u0000", "x" * 300]


def _manager(client: TestClient, make_staff, role: str = "manager") -> None:
    make_staff("cam@example.org", role=role, centres=("hub",))
    login(client, "cam@example.org")


# --- dates outside any sane range --------------------------------------------------------

def test_api_slot_dates_out_of_range_answer_422(client: TestClient, make_open_access):
    make_open_access()
    for params in ({"from": "0001-01-01"}, {"to": "9999-12-31"}, {"from": "1999-12-31"}):
        answer = client.get("/api/v1/slots", params={"centre": "hub", **params})
        assert answer.status_code == 422, params
    assert client.get("/api/v1/slots", params={"centre": "hub", "from": "2026-01-01"}
                      ).status_code == 200


def test_closure_dates_out_of_range_are_field_errors(client, db: Session, make_open_access,
                                                     make_staff):
    make_open_access()
    _manager(client, make_staff)
    for value in ("9999-12-31", "0001-01-01", "2026-13-01", "²⁰²⁷-01-01"):
        answer = post_form(client, "/staff/centres/hub/open-access/closures",
                           {"closed_date": value, "reason": "x"})
        assert answer.status_code == 422, value
        assert 'id="closed_date-error"' in answer.text
    assert db.exec(select(Closure)).all() == []


def test_charge_time_out_of_range_is_a_field_error(client, make_open_access, make_staff):
    make_open_access()
    _manager(client, make_staff)
    tag = "HUB-VR-01"
    for value in ("0001-01-01T00:00", "9999-12-31T23:59"):
        answer = post_form(client, f"/staff/headsets/{tag}/charge", {"charged_at": value})
        assert answer.status_code == 422, value


# --- Unicode digits: "²".isdigit() is true, int("²") raises --------------------------------

def test_unicode_digits_in_the_booking_form_are_ignored(client: TestClient, make_open_access):
    slot = make_open_access().slots[0]
    client.get(f"/book/{slot.id}")
    answer = post_form(client, f"/book/{slot.id}", {
        "name": "Ana", "age_confirmed": "true", "health_ack": "true", "job_ids": ["²", "١"]},
        follow_redirects=False)
    assert answer.status_code == 303


def test_unicode_digits_in_the_charge_level_are_a_field_error(client, make_open_access,
                                                              make_staff):
    make_open_access()
    _manager(client, make_staff)
    answer = post_form(client, "/staff/headsets/HUB-VR-01/charge", {"percent": "²"})
    assert answer.status_code == 422
    assert "0 to 100" in answer.text or "0 à 100" in answer.text


def test_unicode_digits_as_a_returned_video_are_ignored(client, make_open_access, make_staff):
    make_open_access()
    _manager(client, make_staff)
    answer = post_form(client, "/staff/centres/hub/today/returns",
                       {"headset": "HUB-VR-01", "video": ["²"]})
    assert answer.status_code < 500
    assert answer.status_code == 409  # the headset is not in use: a refusal, not a crash


def test_unicode_digits_as_a_rule_id_name_no_rule(client, db, make_open_access, make_staff):
    make_open_access()
    _manager(client, make_staff)
    form = {"weekday": "2", "start_time": "10:00", "end_time": "11:00", "seat_minutes": "20",
            "buffer_minutes": "2", "horizon_weeks": "2", "walk_in_reserve": "0",
            "is_active": "true"}
    answer = post_form(client, "/staff/centres/hub/open-access/rules", {**form, "rule_id": "²"})
    assert answer.status_code == 404
    assert len(db.exec(select(OpenAccessRule)).all()) == 1  # no rule made by mistake


# --- a rule across the spring daylight-saving change --------------------------------------

SPRING_RULE = {"weekday": "6", "start_time": "02:00", "end_time": "03:30", "seat_minutes": "20",
               "buffer_minutes": "2", "horizon_weeks": "26", "walk_in_reserve": "0",
               "is_active": "true"}


def test_seats_in_the_spring_gap_are_skipped_and_listed(db: Session, make_centre, english):
    centre = make_centre("hub", kind="hub")
    data = RuleInput(**SPRING_RULE)
    change = save_rule(db, centre, None, data, datetime(2026, 12, 6, 12, tzinfo=UTC))
    db.commit()
    gap_day = date(2027, 3, 28)  # the clocks go from 02:00 to 03:00 in Paris
    assert {s.day for s in change.skipped} == {gap_day}
    assert [(s.start, s.end) for s in change.skipped] == [
        (time(2), time(2, 20)), (time(2, 22), time(2, 42)), (time(2, 44), time(3, 4))]
    slots = db.exec(select(VRSession).where(VRSession.rule_id == change.rule.id)).all()
    assert all(s.starts_at < s.ends_at for s in slots)
    on_gap_day = sorted(to_local(s.starts_at, centre.timezone).time() for s in slots
                        if to_local(s.starts_at, centre.timezone).date() == gap_day)
    assert on_gap_day == [time(3, 6)]  # the seat after the jump keeps its wall-clock time
    assert len(slots) == 26 * 4 - 3


def test_seats_across_the_autumn_change_are_skipped(db: Session, make_centre):
    centre = make_centre("hub", kind="hub")
    rule = OpenAccessRule(centre_id=centre.id, weekday=6, start_time=time(2, 30),
                          end_time=time(3, 30), seat_minutes=40, buffer_minutes=0,
                          horizon_weeks=2)
    db.add(rule)
    db.commit()
    created = generate_slots(db, rule, date(2027, 10, 25))  # Sundays 31 October, 7 November
    # 02:30–03:10 would last 1 h 40 min on the night the clocks go back: only 7 November
    assert [to_local(s.starts_at, centre.timezone).date() for s in created] == [
        date(2027, 11, 7)]


@time_machine.travel(datetime(2026, 12, 6, 12, tzinfo=UTC), tick=False)
def test_rule_page_says_which_seats_the_clock_change_skips(client, db, make_open_access,
                                                           make_staff):
    make_open_access()
    _manager(client, make_staff)
    answer = post_form(client, "/staff/centres/hub/open-access/rules?lang=en", SPRING_RULE)
    assert answer.status_code == 200
    assert "The clocks change during these seats" in answer.text
    assert "02:44–03:04" in answer.text


# --- a bounded fuzz of the forms ------------------------------------------------------------

# Handlers that read the form themselves: their fields, by the end of the route's path.
RAW_FORM_FIELDS = {
    "/rules": ["rule_id", "weekday", "start_time", "horizon_weeks"],
    "/new": ["slug", "sector", "duration_seconds", "min_age", "jobs"],
    "/edit": ["name", "duration_seconds", "min_age", "jobs"],
    "/confirm": ["csv_text"],
}


def _path_values(db: Session, world: dict) -> dict[str, str]:
    video = db.exec(select(Video)).first()
    return {"slug": "hub", "tag": "HUB-VR-01", "token": "no-such-token", "kind": "videos",
            "slot_id": str(world["slot"].id), "closure_id": "1", "participant_id": "1",
            "code": "en", "video": video.slug if video else "x"}


def _form_routes(app) -> list[APIRoute]:
    included = [r.original_router for r in app.router.routes if hasattr(r, "original_router")]
    return [r for router in included for r in router.routes if isinstance(r, APIRoute)
            and "POST" in r.methods and not r.path.startswith("/api/")
            and r.path != "/staff/login"]


def test_no_form_value_gets_a_server_error(app, client, db, make_open_access, make_staff):
    hub = make_open_access(headsets=2)
    fleet_catalogue(db)
    make_staff("root@example.org", role="admin")
    login(client, "root@example.org")
    app.state.settings.booking_rate_limit_per_minute = 10_000
    values = _path_values(db, {"slot": hub.slots[0]})
    failures, sent = [], 0
    for route in _form_routes(app):
        path = route.path.format(**{k: values.get(k, "1") for k in route.param_convertors})
        fields = [p.alias for p in route.dependant.body_params] or next(
            (f for end, f in RAW_FORM_FIELDS.items() if route.path.endswith(end)), [])
        for field, odd in itertools.product(fields, ODD_VALUES):  # one odd field at a time
            answer = post_form(client, path, {field: odd}, follow_redirects=False)
            sent += 1
            if answer.status_code >= 500:
                failures.append((route.path, field, odd, answer.status_code))
            if route.path.startswith("/staff/logout"):
                login(client, "root@example.org")
    assert failures == []
    assert sent > 200


def test_no_query_value_gets_a_server_error(app, client, db, make_open_access, make_staff):
    hub = make_open_access(headsets=2)
    fleet_catalogue(db)
    make_staff("root@example.org", role="admin")
    login(client, "root@example.org")
    values = _path_values(db, {"slot": hub.slots[0]})
    included = [r.original_router for r in app.router.routes if hasattr(r, "original_router")]
    routes = [r for router in included for r in router.routes
              if isinstance(r, APIRoute) and "GET" in r.methods]
    failures, sent = [], 0
    for route in routes:
        path = route.path.format(**{k: values.get(k, "1") for k in route.param_convertors})
        names = [p.alias for p in route.dependant.query_params]
        for name, odd in itertools.product(names, ODD_VALUES):
            answer = client.get(path, params={name: odd}, follow_redirects=False)
            sent += 1
            if answer.status_code >= 500:
                failures.append((route.path, name, odd, answer.status_code))
    assert failures == []
    assert sent > 100
