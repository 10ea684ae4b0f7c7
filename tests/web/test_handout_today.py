"""The Today page's headsets through HTTP: the board, hand-out, return, cleaning, group
check-in, with and without htmx."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import Desk, arrive, charge, csrf_from, give, login, make_desk, take_back
from vr_booking.models import (
    Cleaning,
    Headset,
    HeadsetUse,
    InstalledVideo,
    Participant,
    SessionKind,
    Video,
    VRSession,
    WatchedVideo,
)

HX = {"HX-Request": "true"}
TODAY = "/staff/centres/hub/today"


@pytest.fixture
def desk(db: Session, make_open_access, make_staff, client: TestClient, time_machine) -> Desk:
    """Ana checked in; the clock 5 minutes before the first slot; signed in."""
    desk = make_desk(db, make_open_access, make_staff)
    time_machine.move_to(desk.now, tick=False)
    assert login(client, "fac@example.org").status_code == 303
    return desk


def post(client: TestClient, action: str, headers: dict | None = None, **data):
    token = csrf_from(client, f"{TODAY}?lang=en")
    return client.post(f"{TODAY}/{action}?lang=en", data={"csrftoken": token, **data},
                       headers=headers or {})


def line(page: str, tag: str) -> str:
    """The board's card of one headset."""
    return re.search(rf'<li id="headset-{tag}".*?</li>', page, re.S).group(0)


def fresh_uses(db: Session) -> list[HeadsetUse]:
    db.commit()
    return list(db.exec(select(HeadsetUse).execution_options(populate_existing=True)))


def test_the_board_shows_each_headset_and_is_polled(client, db, desk, make_centre):
    charge(db, [desk.headsets[2]], None, None)
    db.add(Headset(asset_tag="HUB-VR-04", home_centre_id=desk.centre.id, service_state="lost"))
    db.commit()
    page = client.get(f"{TODAY}?lang=en").text
    assert "Free: 2" in page
    assert "Charge not recorded" in line(page, "HUB-VR-03")
    assert "Lost" in line(page, "HUB-VR-04")
    assert "/static/js/timers.js" in page
    polled = client.get(f"{TODAY}?lang=en", headers=HX).text
    assert polled.lstrip().startswith('<div id="board"')
    assert 'id="headsets"' in polled  # the headsets update with the board's polling


def test_a_worn_headset_shows_who_since_when_and_a_timer(client, db, desk, time_machine):
    give(db, desk, "HUB-VR-01")
    time_machine.move_to(desk.now + timedelta(minutes=7, seconds=30), tick=False)
    card = line(client.get(f"{TODAY}?lang=en").text, "HUB-VR-01")
    assert "In use by Ana since" in card
    assert f'data-started-at="{desk.now.isoformat(timespec="seconds")}"' in card
    assert 'data-cap-minutes="20"' in card
    assert '<span class="elapsed">7 min</span> of 20 min' in card
    assert "data-overdue-badge hidden" in card
    assert 'role="status"' not in card  # news go to the page's own region (timers.js)
    assert 'data-msg-overdue="Ana is past the 20 min cap' in card


def test_past_the_cap_the_card_says_overdue_in_words(client, db, desk, time_machine):
    give(db, desk, "HUB-VR-01")
    time_machine.move_to(desk.now + timedelta(minutes=21), tick=False)
    card = line(client.get(f"{TODAY}?lang=en").text, "HUB-VR-01")
    assert 'class="hs status-in_use overdue"' in card
    assert re.search(r"<strong [^>]*data-overdue-badge>Overdue</strong>", card)
    assert re.search(r'<span class="overdue-text">Ana is past the 20 min cap', card)
    assert 'role="status"' not in card  # not re-announced by every refresh


def test_each_checked_in_person_gets_a_hand_out_form_with_the_suggestion(client, db, desk):
    charge(db, [desk.headsets[0]], 90, desk.now)  # 108 min left; the others 120
    page = client.get(f"{TODAY}?lang=en").text
    form = re.search(rf'<form[^>]*handouts.*?value="{desk.ana.short_code}".*?</form>', page,
                     re.S).group(0)
    assert re.findall(r'<option value="([^"]+)">', form) == [
        "HUB-VR-02", "HUB-VR-03", "HUB-VR-01"]
    assert "HUB-VR-02 (suggested)" in form


def test_hand_out_without_javascript_answers_the_whole_page(client, db, desk):
    page = post(client, "handouts", headset="HUB-VR-02", code=desk.ana.short_code)
    assert page.status_code == 200
    assert "HUB-VR-02 handed out to Ana: 20 minutes at most." in page.text
    assert "<html" in page.text
    assert "In use by Ana" in line(page.text, "HUB-VR-02")
    assert [(u.headset_id, u.booking_id) for u in fresh_uses(db)] == [
        (desk.headsets[1].id, desk.ana.id)]


def test_hand_out_with_htmx_answers_with_the_board_and_the_message_in_the_row(client, db,
                                                                             desk):
    key = f"b{desk.ana.id}"
    answer = post(client, "handouts", HX, headset="HUB-VR-01", code=desk.ana.short_code,
                  at=key)
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<div id="board"')
    row = re.search(rf'<li id="person-{key}".*?</li>', answer.text, re.S).group(0)
    assert "Wearing HUB-VR-01" in row
    assert re.search(rf'id="msg-{key}" tabindex="-1" data-focus>\s*<p>HUB-VR-01 handed out',
                     row)
    assert "In use by Ana" in line(answer.text, "HUB-VR-01")


@pytest.mark.parametrize(("setup", "status", "text"), [
    ("dirty", 409, "has not been cleaned since it was last returned"),
    ("in_use", 409, "is being worn by someone else"),
    ("unknown", 404, "There is no headset with this asset tag."),
])
def test_refusals_say_why(client, db, desk, setup, status, text):
    ben = arrive(db, desk, "Ben")
    if setup == "dirty":
        give(db, desk, "HUB-VR-01", code=ben.short_code)
        take_back(db, desk, "HUB-VR-01", desk.now)
    elif setup == "in_use":
        give(db, desk, "HUB-VR-01", code=ben.short_code)
    tag = "HUB-VR-99" if setup == "unknown" else "HUB-VR-01"
    answer = post(client, "handouts", HX, headset=tag, code=desk.ana.short_code)
    assert answer.status_code == status
    assert 'class="row-msg error" id="msg-board"' in answer.text
    assert text in answer.text


def test_return_then_one_click_cleaning(client, db, desk, time_machine):
    give(db, desk, "HUB-VR-01")
    time_machine.move_to(desk.now + timedelta(minutes=12), tick=False)
    back = post(client, "returns", headset="HUB-VR-01")
    assert "HUB-VR-01 is back from Ana after 12 min" in back.text
    card = line(back.text, "HUB-VR-01")
    assert "To clean" in card
    assert 'name="method" value="uvc"' in card
    headset = db.get(Headset, desk.headsets[0].id)
    db.refresh(headset)
    assert (headset.usage_minutes, headset.usage_count) == (12, 1)

    cleaned = post(client, "cleanings", headset="HUB-VR-01", method="uvc")
    assert "Cleaning of HUB-VR-01 logged" in cleaned.text
    assert "Free" in line(cleaned.text, "HUB-VR-01")
    db.commit()
    assert db.exec(select(Cleaning.method)).one() == "uvc"


def test_the_return_form_records_the_ticked_videos(client, db, desk):
    video = Video(slug="kitchen", title="In a kitchen", duration_seconds=300)
    db.add(video)
    db.flush()
    db.add(InstalledVideo(headset_id=desk.headsets[0].id, video_id=video.id))
    db.commit()
    give(db, desk, "HUB-VR-01")
    card = line(client.get(f"{TODAY}?lang=en").text, "HUB-VR-01")
    assert f'name="video" value="{video.id}"' in card
    post(client, "returns", headset="HUB-VR-01", video=str(video.id))
    db.commit()
    assert db.exec(select(WatchedVideo.video_id)).all() == [video.id]


def test_a_group_participant_is_checked_in_then_handed_a_headset(client, db, desk):
    workshop = VRSession(centre_id=desk.centre.id, kind=SessionKind.group_visit,
                         starts_at=desk.now, ends_at=desk.now + timedelta(hours=1))
    db.add(workshop)
    db.flush()
    member = Participant(session_id=workshop.id)
    db.add(member)
    db.commit()
    page = client.get(f"{TODAY}?lang=en").text
    assert f"/participants/{member.id}/checkin" in page
    first = post(client, f"participants/{member.id}/checkin")
    assert "Participant 1 is checked in." in first.text
    again = post(client, f"participants/{member.id}/checkin")
    assert "Participant 1 was already checked in." in again.text
    handed = post(client, "handouts", headset="HUB-VR-03", participant_id=str(member.id))
    assert "HUB-VR-03 handed out to Participant 1" in handed.text


def test_a_hand_out_needs_the_csrf_token(client, db, desk):
    answer = client.post(f"{TODAY}/handouts", data={"headset": "HUB-VR-01",
                                                    "code": desk.ana.short_code})
    assert answer.status_code == 403
    assert fresh_uses(db) == []
