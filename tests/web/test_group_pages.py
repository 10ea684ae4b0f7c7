"""Planning pages through HTTP: the form and its refusals in the page, a session's page, the
roster (one by one, CSV with a dry run), the printable plan, cancelling and closing."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from factories import (
    FACILITATOR,
    MANAGER,
    centre_today,
    confirmed_bookings,
    decode_qr,
    login,
    make_world,
    needs_zbarimg,
    open_access_slot,
    plan_group,
    post_form,
    reread,
    roster_csv,
)
from vr_booking.models import Allocation, Participant, VRSession

NEW = "/staff/centres/marseille/groups/new?lang=en"


@pytest.fixture
def world(db: Session, make_centre, make_staff):
    return make_world(db, make_centre, make_staff)


@pytest.fixture
def manager(client: TestClient, world) -> TestClient:
    assert login(client, MANAGER).status_code == 303
    client.get(NEW)
    return client


def form(world, days: int = 3, **fields) -> dict:
    day = centre_today(world.marseille) + timedelta(days=days)
    return {"kind": "group_visit", "title": "3e B", "date": day.isoformat(),
            "start_time": "09:30", "end_time": "11:30", "organisation": "Collège",
            "group_size": "28", "min_age": "14", "max_age": "15",
            "headsets": "3", "briefing_minutes": "5", "video_minutes": "15",
            "cleaning_minutes": "2", "transport_minutes": "0",
            "accompanying_adult": "M. Dupont", "minors_authorisation_holder": "Le collège",
            "facilitators": [FACILITATOR], **fields}


def groups(db: Session) -> list[VRSession]:
    db.commit()
    return list(db.exec(select(VRSession).where(VRSession.kind != "open_access")))


def test_a_manager_plans_a_class_visit_through_the_form(manager, world, db):
    page = post_form(manager, NEW, form(world), follow_redirects=False)
    assert page.status_code == 303
    [group] = groups(db)
    assert page.headers["location"] == f"/staff/groups/{group.id}?saved=created"
    assert (group.group_size, group.headsets_reserved, group.min_age) == (28, 3, 14)
    shown = manager.get(f"/staff/groups/{group.id}?saved=created&lang=en").text
    assert "The session is planned and its headsets are reserved." in shown
    assert "MRS-VR-01, MRS-VR-02, MRS-VR-03" in shown
    assert "10 rounds" in shown  # 28 people on 3 headsets
    assert "Warning:" in shown  # 10 × 22 min do not fit in 2 hours


def test_field_errors_are_shown_next_to_their_fields_and_nothing_is_saved(manager, world, db):
    page = post_form(manager, NEW, form(world, end_time="09:00", max_age="16",
                                        accompanying_adult=""))
    assert page.status_code == 422
    assert 'id="ends_at-error"' in page.text
    assert 'id="accompanying_adult-error"' in page.text
    assert 'aria-describedby="accompanying_adult-error"' in page.text
    assert 'value="3e B"' in page.text  # what was typed is kept
    assert groups(db) == []


def test_headsets_are_chosen_by_tag_or_by_number_not_both(manager, world, db):
    both = post_form(manager, NEW, form(world, headset_tags=["MRS-VR-02"]))
    assert both.status_code == 422
    assert "Give a number of headsets or their asset tags, not both." in both.text
    assert 'value="MRS-VR-02" checked' in both.text
    done = post_form(manager, NEW, form(world, headsets="", headset_tags=["MRS-VR-02"]),
                     follow_redirects=False)
    assert done.status_code == 303
    assert db.exec(select(Allocation.headset_id)).all() == [world.headsets[1].id]


def test_a_group_under_13_is_refused_with_the_reason(manager, world, db):
    page = post_form(manager, NEW, form(world, min_age="10", max_age="12"))
    assert page.status_code == 422
    assert "Nobody under 13 may wear a headset" in page.text
    assert groups(db) == []


def test_busy_headsets_are_named_and_the_nearest_time_is_one_click_away(manager, world, db):
    plan_group(db, world.marseille, title="Atelier CV", headsets=3)  # 09:30–11:30
    page = post_form(manager, NEW, form(world, start_time="10:00", end_time="11:00"))
    assert page.status_code == 409
    assert "<strong>MRS-VR-01</strong> — Atelier CV (" in page.text
    nearest = re.search(r'name="move_to" value="([^"]+)"', page.text).group(1)
    moved = post_form(manager, NEW, form(world, start_time="10:00", end_time="11:00",
                                         move_to=nearest), follow_redirects=False)
    assert moved.status_code == 303
    new = max(groups(db), key=lambda g: g.id)
    assert new.starts_at.isoformat() == nearest
    assert new.ends_at - new.starts_at == timedelta(hours=1)


def test_open_access_bookings_in_the_way_need_the_managers_confirmation(manager, world, db):
    slot = open_access_slot(db, world.marseille)  # in two days, 14:00–14:20, 3 seats
    bookings = confirmed_bookings(db, slot, 2)
    fields = form(world, days=2, start_time="13:30", end_time="15:00", headsets="2")
    page = post_form(manager, NEW, fields)
    assert page.status_code == 409
    assert "2 confirmed bookings for 1 seats" in page.text
    assert 'name="confirm"' in page.text
    assert groups(db) == []
    done = post_form(manager, NEW, {**fields, "confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].endswith("&moved=1")
    assert reread(db, bookings[1]).status == "waitlisted"


def test_facilitators_see_sessions_but_do_not_plan(client, world, db):
    group = plan_group(db, world.marseille).group
    login(client, FACILITATOR)
    assert client.get(NEW).status_code == 403
    page = client.get(f"/staff/groups/{group.id}?lang=en")
    assert page.status_code == 200
    assert "/edit" not in page.text
    assert client.get("/staff/centres/marseille/groups?lang=en").status_code == 200


def test_editing_shows_the_plan_and_saves_changes(manager, world, db):
    group = plan_group(db, world.marseille, headsets=2).group
    page = manager.get(f"/staff/groups/{group.id}/edit?lang=en")
    assert 'value="Atelier"' in page.text
    changed = post_form(manager, f"/staff/groups/{group.id}/edit", form(
        world, kind="workshop", title="Atelier CV", min_age="18", max_age="60",
        accompanying_adult="", minors_authorisation_holder="", headsets="1"),
        follow_redirects=False)
    assert changed.status_code == 303
    group = reread(db, group)
    assert (group.title, group.headsets_reserved) == ("Atelier CV", 1)


def test_cancelling_needs_the_box_ticked(manager, world, db):
    group = plan_group(db, world.marseille).group
    url = f"/staff/groups/{group.id}/cancel"
    assert post_form(manager, url + "?lang=en").status_code == 422
    assert reread(db, group).status == "planned"
    assert post_form(manager, url, {"sure": "yes"}, follow_redirects=False).status_code == 303
    assert reread(db, group).status == "cancelled"
    assert db.exec(select(func.count()).select_from(Allocation)).one() == 0


def test_participants_are_added_and_taken_off_the_roster(manager, world, db):
    group = plan_group(db, world.marseille).group
    url = f"/staff/groups/{group.id}/participants"
    bad = post_form(manager, url + "?lang=en", {"name": "ana@example.org"})
    assert bad.status_code == 422
    assert "no e-mail addresses on a roster" in bad.text
    post_form(manager, url, {"name": "Marc", "age_band": "25-54"})
    [marc] = db.exec(select(Participant)).all()
    post_form(manager, f"{url}/{marc.id}/remove")
    db.commit()
    assert db.exec(select(Participant)).all() == []


def test_a_roster_file_is_checked_first_then_imported(manager, world, db):
    group = plan_group(db, world.marseille, min_age=12, max_age=15,
                       accompanying_adult="M. Dupont",
                       minors_authorisation_holder="Le collège").group
    url = f"/staff/groups/{group.id}/roster/import"
    text = roster_csv([("Ana", "", "13-17"), ("Léo", "", "0-12")])
    preview = manager.post(url + "?lang=en", data={"csrftoken": manager.cookies["csrftoken"]},
                           files={"file": ("3eB.csv", text.encode("utf-8"), "text/csv")})
    assert preview.status_code == 200
    assert "Nothing is written yet" in preview.text
    assert "1 of them is under 13" in preview.text
    assert db.exec(select(Participant)).all() == []
    carried = re.search(r'name="csv_text" value="([^"]*)"', preview.text).group(1)
    assert "Ana" in carried
    done = post_form(manager, url + "/confirm", {"csv_text": text, "filename": "3eB.csv"},
                     follow_redirects=False)
    assert done.status_code == 303
    db.commit()
    assert [p.display_name for p in db.exec(select(Participant))] == ["Ana", "Léo"]


def test_a_broken_roster_file_lists_its_problems(manager, world, db):
    group = plan_group(db, world.marseille).group
    text = roster_csv([("ana@example.org", "", "")])
    page = manager.post(f"/staff/groups/{group.id}/roster/import?lang=en",
                        data={"csrftoken": manager.cookies["csrftoken"]},
                        files={"file": ("bad.csv", text.encode(), "text/csv")})
    assert page.status_code == 422
    assert "Line 2: no e-mail addresses" in page.text


def test_the_printable_plan_lists_the_rounds_and_who_is_in_each(manager, world, db):
    group = plan_group(db, world.marseille, headsets=2, group_size=3).group
    post_form(manager, f"/staff/groups/{group.id}/participants", {"name": "Marc"})
    page = manager.get(f"/staff/groups/{group.id}/plan?lang=en")
    assert page.status_code == 200
    assert 'class="print-plan"' in page.text
    assert re.search(r"2 people: Marc \([A-Z0-9]{6}\) \+ 1 not named", page.text)
    assert "Non-VR activity" in page.text
    assert "js/print.js" in page.text
    assert "<script>" not in page.text


@needs_zbarimg
def test_the_group_qr_code_opens_the_group_on_the_today_page(manager, world, db, tmp_path):
    group = plan_group(db, world.marseille).group
    svg = manager.get(f"/staff/groups/{group.id}/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    image = tmp_path / "group.png"
    image.write_bytes(manager.get(f"/staff/groups/{group.id}/qr.png").content)
    assert decode_qr(image) == f"http://testserver/staff/centres/marseille/today#group-{group.id}"


def test_the_close_form_refuses_without_a_debriefing_next_to_its_field(manager, world, db):
    group = plan_group(db, world.marseille).group
    group.starts_at -= timedelta(days=4)
    group.ends_at -= timedelta(days=4)
    db.add(group)
    db.commit()
    url = f"/staff/groups/{group.id}/close"
    page = post_form(manager, url + "?lang=en", {"debrief": "", "attendance": "8"})
    assert page.status_code == 409
    assert 'id="debrief-error"' in page.text
    assert "Record the debriefing before closing" in page.text
    done = post_form(manager, url, {"debrief": "Very curious group.", "attendance": "8"},
                     follow_redirects=False)
    assert done.status_code == 303
    assert (reread(db, group).status, reread(db, group).attendance) == ("closed", 8)
