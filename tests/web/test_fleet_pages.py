"""The headset fleet's pages through HTTP: inventory, headset page, edits, service states,
cleaning, charge, installed content.

The rules underneath (charge estimate, cleaning, missing videos) are tested in
``services/test_fleet_rules.py``.
"""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import (
    FACILITATOR,
    GAP_FACILITATOR,
    MANAGER,
    World,
    a_booking,
    add_headsets,
    confirmed_bookings,
    fleet_catalogue,
    lend,
    login,
    make_world,
    open_access_slot,
    post_form,
    workshop,
)
from vr_booking.models import (
    Allocation,
    Booking,
    BookingJob,
    BookingStatus,
    Cleaning,
    Headset,
    HeadsetStateChange,
    HeadsetUse,
    InstalledVideo,
    OutboxMessage,
    VideoJob,
    utcnow,
)
from vr_booking.services.open_access import capacity
from vr_booking.services.timeutil import to_local


@pytest.fixture
def world(db: Session, make_centre, make_staff) -> World:
    return make_world(db, make_centre, make_staff)


def fresh(db: Session) -> Session:
    """End the test's read transaction, so that it sees what the app committed since."""
    db.commit()
    db.expire_all()
    return db


def reload(db: Session, headset: Headset) -> Headset:
    return fresh(db).get(Headset, headset.id)


# --- charge ---------------------------------------------------------------------------------

def test_charged_at_records_a_full_battery_at_that_time(client, db, world):
    login(client, FACILITATOR)
    headset = world.headsets[0]
    local = to_local(utcnow() - timedelta(hours=1), world.marseille.timezone)
    done = post_form(client, "/staff/headsets/MRS-VR-01/charge",
                     {"charged_at": local.strftime("%Y-%m-%dT%H:%M")}, follow_redirects=False)
    assert done.status_code == 303
    saved = reload(db, headset)
    assert saved.charge_percent == 100
    assert abs(saved.charge_recorded_at - (utcnow() - timedelta(hours=1))) < timedelta(minutes=2)


def test_bad_charge_input_is_refused_next_to_the_field(client, db, world):
    login(client, FACILITATOR)
    for data, field in (({"percent": "140"}, "percent"), ({}, "percent"),
                        ({"charged_at": "2999-01-01T10:00"}, "charged_at")):
        page = post_form(client, "/staff/headsets/MRS-VR-01/charge?lang=en", data)
        assert page.status_code == 422
        assert f'id="{field}-error"' in page.text
        assert 'aria-invalid="true"' in page.text
    assert reload(db, world.headsets[0]).charge_percent is None


def test_page_warns_when_the_charge_will_not_last_for_the_next_use(client, db, world):
    headset = world.headsets[0]
    workshop(db, world.marseille, headset, timedelta(days=1), minutes=60)
    login(client, MANAGER)
    post_form(client, "/staff/headsets/MRS-VR-01/charge", {"percent": "50"})  # 60 min left
    page = client.get("/staff/headsets/MRS-VR-01?lang=en")
    assert 'id="charge-warning"' in page.text  # 60 min + 15 min margin > 60 min
    assert "Charge may not last" in client.get("/staff/headsets?lang=en").text

    post_form(client, "/staff/headsets/MRS-VR-01/charge", {"percent": "100"})  # 120 min
    assert 'id="charge-warning"' not in client.get("/staff/headsets/MRS-VR-01").text


# --- cleaning -------------------------------------------------------------------------------

def test_a_returned_headset_is_to_clean_until_a_cleaning_is_logged(client, db, world):
    headset = world.headsets[0]
    booking = a_booking(db, world)
    db.add(HeadsetUse(headset_id=headset.id, session_id=booking.session_id,
                      booking_id=booking.id, started_at=utcnow() - timedelta(minutes=25),
                      returned_at=utcnow() - timedelta(minutes=5)))
    db.commit()
    login(client, FACILITATOR)
    assert "To clean" in client.get("/staff/headsets/MRS-VR-01?lang=en").text
    assert "To clean" in client.get("/staff/headsets?lang=en").text

    done = post_form(client, "/staff/headsets/MRS-VR-01/cleanings", {"method": "uvc"},
                     follow_redirects=False)
    assert done.status_code == 303
    cleaning = db.exec(select(Cleaning)).one()
    assert (cleaning.method, cleaning.headset_id) == ("uvc", headset.id)
    assert cleaning.staff_id is not None
    page = client.get("/staff/headsets/MRS-VR-01?lang=en")
    assert "To clean" not in page.text
    assert "Cleaned (UV-C light)" in page.text


def test_unknown_cleaning_method_is_refused(client, db, world):
    login(client, FACILITATOR)
    response = post_form(client, "/staff/headsets/MRS-VR-01/cleanings", {"method": "spray"})
    assert response.status_code == 422
    assert db.exec(select(Cleaning)).first() is None


# --- service state --------------------------------------------------------------------------

def test_state_change_needs_a_reason_and_is_logged_with_who(client, db, world):
    login(client, MANAGER)
    refused = post_form(client, "/staff/headsets/MRS-VR-01/state",
                        {"to_state": "maintenance", "reason": "  "})
    assert refused.status_code == 422
    assert 'id="reason-error"' in refused.text
    assert reload(db, world.headsets[0]).service_state == "in_service"

    done = post_form(client, "/staff/headsets/MRS-VR-01/state",
                     {"to_state": "maintenance", "reason": "Cracked lens"},
                     follow_redirects=False)
    assert done.status_code == 303
    assert reload(db, world.headsets[0]).service_state == "maintenance"
    change = db.exec(select(HeadsetStateChange)).one()
    assert (change.from_state, change.to_state, change.reason) == (
        "in_service", "maintenance", "Cracked lens")
    page = client.get("/staff/headsets/MRS-VR-01?lang=en")
    assert "Cracked lens" in page.text
    assert "Camille" in page.text  # who


def test_leaving_service_that_strands_confirmed_bookings_is_refused(client, db, world):
    slot = open_access_slot(db, world.marseille)
    confirmed_bookings(db, slot, 3)  # 3 headsets, 3 seats, 3 confirmed
    login(client, MANAGER)
    refused = post_form(client, "/staff/headsets/MRS-VR-02/state?lang=en",
                        {"to_state": "lost", "reason": "Not back from the forum"})
    assert refused.status_code == 409
    assert 'id="stranding"' in refused.text
    assert "3 confirmed bookings for 2 seats" in refused.text
    assert 'name="confirm"' in refused.text
    assert reload(db, world.headsets[1]).service_state == "in_service"
    assert db.exec(select(HeadsetStateChange)).first() is None
    assert capacity.slot_load(db, slot).capacity == 3


def test_leaving_service_with_room_to_spare_is_accepted(client, db, world):
    confirmed_bookings(db, open_access_slot(db, world.marseille), 2)
    login(client, MANAGER)
    done = post_form(client, "/staff/headsets/MRS-VR-02/state",
                     {"to_state": "maintenance", "reason": "Firmware update"},
                     follow_redirects=False)
    assert done.status_code == 303


def test_confirmed_change_moves_the_newest_booking_to_the_waiting_list(client, db, world):
    slot = open_access_slot(db, world.marseille)
    bookings = confirmed_bookings(db, slot, 3)
    bookings[2].email = "nora@example.org"
    db.add(bookings[2])
    db.commit()
    login(client, MANAGER)
    page = post_form(client, "/staff/headsets/MRS-VR-02/state?lang=en",
                     {"to_state": "maintenance", "reason": "Strap broken", "confirm": "yes"})
    assert page.status_code == 200
    assert 'id="state-result"' in page.text
    assert "Visitor 2" in page.text
    fresh(db)
    statuses = {b.name: db.get(Booking, b.id).status for b in bookings}
    assert statuses == {"Visitor 0": BookingStatus.confirmed, "Visitor 1": BookingStatus.confirmed,
                        "Visitor 2": BookingStatus.waitlisted}
    load = capacity.slot_load(db, slot)
    assert (load.capacity, load.confirmed, load.waitlisted) == (2, 2, 1)
    assert reload(db, world.headsets[1]).service_state == "maintenance"
    told = db.exec(select(OutboxMessage)).one()  # the visitor is told (queued in the outbox)
    assert told.to_address == "nora@example.org"


def test_leaving_service_strands_a_group_session_until_confirmed(client, db, world):
    session = workshop(db, world.marseille, world.headsets[0], timedelta(days=3),
                       title="Atelier BTP")
    login(client, MANAGER)
    refused = post_form(client, "/staff/headsets/MRS-VR-01/state?lang=en",
                        {"to_state": "retired", "reason": "End of life"})
    assert refused.status_code == 409
    assert "Atelier BTP" in refused.text
    assert db.exec(select(Allocation)).first() is not None

    page = post_form(client, "/staff/headsets/MRS-VR-01/state?lang=en",
                     {"to_state": "retired", "reason": "End of life", "confirm": "yes"})
    assert page.status_code == 200
    assert "1 reservation freed" in page.text
    assert "Atelier BTP" in page.text
    freed = select(Allocation).where(Allocation.session_id == session.id)
    assert fresh(db).exec(freed).first() is None
    assert reload(db, world.headsets[0]).service_state == "retired"


def test_past_allocations_do_not_block_a_state_change(client, db, world):
    workshop(db, world.marseille, world.headsets[0], -timedelta(days=3))
    login(client, MANAGER)
    done = post_form(client, "/staff/headsets/MRS-VR-01/state",
                     {"to_state": "maintenance", "reason": "Check"}, follow_redirects=False)
    assert done.status_code == 303
    assert db.exec(select(Allocation)).first() is not None  # history kept


def test_a_lent_headset_leaving_service_is_checked_at_the_borrowing_centre(client, db, world):
    headset = world.headsets[0]
    lend(db, headset, world.marseille, world.gap, days=5)
    slot = open_access_slot(db, world.gap)
    confirmed_bookings(db, slot, 1)  # Gap's only seat is the lent headset
    login(client, MANAGER)
    refused = post_form(client, "/staff/headsets/MRS-VR-01/state?lang=en",
                        {"to_state": "maintenance", "reason": "Dropped"})
    assert refused.status_code == 409
    assert "Centre associé de Gap" in refused.text


# --- face cover -----------------------------------------------------------------------------

def _edit(client: TestClient, tag: str, **changes: str):
    data = {"asset_tag": tag, "serial": f"SN-MRS-VR-{int(tag[-2:])}", "model": "Meta Quest 3",
            "face_cover": "silicone", "notes": "", **changes}
    return post_form(client, f"/staff/headsets/{tag}?lang=en", data, follow_redirects=False)


def test_a_foam_cover_takes_the_headset_out_of_open_access_and_warns(client, db, world):
    slot = open_access_slot(db, world.marseille)
    assert capacity.slot_load(db, slot).capacity == 3
    login(client, MANAGER)
    assert _edit(client, "MRS-VR-03", face_cover="foam").status_code == 303
    fresh(db)
    assert capacity.slot_load(db, slot).capacity == 2
    page = client.get("/staff/headsets/MRS-VR-03?lang=en")
    assert "foam face cover" in page.text
    assert "Not for public use" in client.get("/staff/headsets?lang=en").text


def test_a_foam_cover_that_would_strand_bookings_is_refused(client, db, world):
    confirmed_bookings(db, open_access_slot(db, world.marseille), 3)
    login(client, MANAGER)
    refused = _edit(client, "MRS-VR-03", face_cover="foam")
    assert refused.status_code == 409
    assert "3 confirmed bookings for 2 seats" in refused.text
    assert reload(db, world.headsets[2]).face_cover == "silicone"


# --- editing and adding ---------------------------------------------------------------------

def test_edit_upper_cases_the_asset_tag_and_saves(client, db, world):
    login(client, MANAGER)
    done = _edit(client, "MRS-VR-01", asset_tag=" mrs-vr-101 ", serial=" NEW-1 ",
                 model="Meta Quest 3S", notes="Left strap replaced")
    assert done.status_code == 303
    assert done.headers["location"] == "/staff/headsets/MRS-VR-101?saved=details"
    saved = reload(db, world.headsets[0])
    assert (saved.asset_tag, saved.serial, saved.model, saved.notes) == (
        "MRS-VR-101", "NEW-1", "Meta Quest 3S", "Left strap replaced")


@pytest.mark.parametrize(("changes", "field"), [
    ({"asset_tag": "MRS-01"}, "asset_tag"),
    ({"asset_tag": "TOOLONG-VR-01"}, "asset_tag"),
    ({"asset_tag": "MRS-VR-02"}, "asset_tag"),  # another headset's tag
    ({"serial": "SN-MRS-VR-2"}, "serial"),  # another headset's serial
    ({"model": "   "}, "model"),
    ({"face_cover": "leather"}, "face_cover"),
])
def test_invalid_edit_writes_nothing_and_marks_the_field(client, db, world, changes, field):
    login(client, MANAGER)
    page = _edit(client, "MRS-VR-01", notes="should not be saved", **changes)
    assert page.status_code == 422
    assert f'aria-describedby="{field}-error' in page.text
    assert f'id="{field}-error"' in page.text
    saved = reload(db, world.headsets[0])
    assert (saved.asset_tag, saved.serial, saved.notes) == ("MRS-VR-01", "SN-MRS-VR-1", "")


def test_manager_adds_a_headset(client, db, world):
    login(client, MANAGER)
    assert client.get("/staff/headsets/new").status_code == 200
    done = post_form(client, "/staff/headsets/new",
                     {"home_centre": "marseille", "asset_tag": "mrs-vr-04", "serial": "",
                      "model": "Pico 4", "face_cover": "disposable"}, follow_redirects=False)
    assert done.status_code == 303
    added = db.exec(select(Headset).where(Headset.asset_tag == "MRS-VR-04")).one()
    assert (added.home_centre_id, added.serial, added.model) == (world.marseille.id, None,
                                                                 "Pico 4")
    duplicate = post_form(client, "/staff/headsets/new",
                          {"home_centre": "marseille", "asset_tag": "MRS-VR-04",
                           "model": "Pico 4", "face_cover": "silicone"})
    assert duplicate.status_code == 422


# --- who may do what ------------------------------------------------------------------------

def test_facilitator_reads_but_cannot_change_the_headset(client, db, world):
    login(client, FACILITATOR)
    page = client.get("/staff/headsets/MRS-VR-01")
    assert page.status_code == 200
    assert 'name="reason"' not in page.text  # no state form
    assert 'name="asset_tag"' not in page.text  # no edit form
    for url, data in (
        ("/staff/headsets/MRS-VR-01", {"asset_tag": "MRS-VR-01", "model": "X",
                                       "face_cover": "silicone"}),
        ("/staff/headsets/MRS-VR-01/state", {"to_state": "lost", "reason": "x"}),
        ("/staff/headsets/MRS-VR-01/videos", {}),
        ("/staff/centres/marseille/videos", {}),
        ("/staff/headsets/new", {"home_centre": "marseille", "asset_tag": "MRS-VR-09",
                                 "model": "X", "face_cover": "silicone"}),
    ):
        assert post_form(client, url, data).status_code == 403, url
    assert client.get("/staff/headsets/new").status_code == 403
    saved = reload(db, world.headsets[0])
    assert (saved.model, saved.service_state) == ("Meta Quest 3", "in_service")
    assert db.exec(select(Headset).where(Headset.asset_tag == "MRS-VR-09")).first() is None


def test_gap_facilitator_cannot_see_marseille_headsets(client, db, world):
    login(client, GAP_FACILITATOR)
    assert "MRS-VR-01" not in client.get("/staff/headsets").text
    assert client.get("/staff/headsets/MRS-VR-01").status_code == 403
    assert client.get("/staff/headsets?centre=marseille").status_code == 403
    assert client.get("/staff/headsets/MRS-VR-01/qr.png").status_code == 403
    assert client.get("/staff/centres/marseille/labels").status_code == 403
    assert post_form(client, "/staff/headsets/MRS-VR-01/cleanings",
                     {"method": "wipes"}).status_code == 403
    assert client.get("/staff/headsets/NOPE-VR-01").status_code == 404


def test_a_headset_lent_to_gap_is_listed_at_gap_and_visible_to_its_staff(client, db, world):
    lend(db, world.headsets[0], world.marseille, world.gap)
    login(client, GAP_FACILITATOR)
    at_gap = client.get("/staff/headsets?centre=gap&lang=en")
    assert "MRS-VR-01" in at_gap.text
    assert "on loan from Cité des métiers de Marseille" in at_gap.text
    assert "MRS-VR-02" not in at_gap.text
    page = client.get("/staff/headsets/MRS-VR-01?lang=en")
    assert page.status_code == 200
    assert "Lent by Cité des métiers de Marseille to Centre associé de Gap" in page.text
    assert 'name="reason"' not in page.text  # Gap does not manage it

    client.cookies.clear()
    login(client, MANAGER)
    at_marseille = client.get("/staff/headsets?centre=marseille").text
    assert "MRS-VR-01" not in at_marseille
    assert "MRS-VR-02" in at_marseille


# --- inventory filters ----------------------------------------------------------------------

def test_inventory_filters_and_answers_htmx_with_the_table_only(client, db, world):
    add_headsets(db, world.marseille, 1, prefix="MRS-PC-", model="Pico 4",
                 service_state="maintenance")
    login(client, MANAGER)
    full = client.get("/staff/headsets")
    assert full.status_code == 200
    assert 'hx-get="' in full.text
    assert "MRS-PC-01" in full.text
    assert "MRS-VR-01" in full.text

    by_model = client.get("/staff/headsets", params={"model": "Pico 4"}).text
    assert "MRS-PC-01" in by_model
    assert "MRS-VR-01" not in by_model
    by_state = client.get("/staff/headsets", params={"state": "in_service", "centre": ""}).text
    assert "MRS-VR-01" in by_state
    assert "MRS-PC-01" not in by_state

    fragment = client.get("/staff/headsets", params={"state": "maintenance"},
                          headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="inventory">')
    assert "<html" not in fragment.text
    assert "MRS-PC-01" in fragment.text
    assert "MRS-VR-01" not in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
    assert client.get("/staff/headsets", params={"state": "broken"}).status_code == 422


def test_inventory_comes_fifty_headsets_a_page(client, db, world):
    add_headsets(db, world.marseille, 52, prefix="MRS-XR-")  # 55 with the world's three
    login(client, MANAGER)
    first = client.get("/staff/headsets", params={"model": "Meta Quest 3"}).text
    assert "55 casques" in first
    assert "MRS-XR-47" in first
    assert "MRS-XR-48" not in first
    [following] = re.findall(r'href="([^"]+)" rel="next"', first)
    second = client.get(following.replace("&amp;", "&")).text
    assert "MRS-XR-52" in second
    assert "MRS-XR-47" not in second
    assert 'rel="prev"' in second
    assert "model=Meta" in following


def test_inventory_shows_installed_videos_and_next_use(client, db, world):
    videos = fleet_catalogue(db)["videos"]
    db.add_all(InstalledVideo(headset_id=world.headsets[0].id, video_id=v.id) for v in videos)
    workshop(db, world.marseille, world.headsets[0], timedelta(days=1), title="Atelier soudure")
    login(client, MANAGER)
    row = _row_of(client.get("/staff/headsets").text, "MRS-VR-01")
    assert '<td data-label="Vidéos">3</td>' in row
    assert "Atelier soudure" in row


def _row_of(html: str, tag: str) -> str:
    start = html.index(f">{tag}</a>")
    return html[start:html.index("</tr>", start)]


# --- installed content ----------------------------------------------------------------------

def test_manager_sets_installed_videos_per_headset_and_per_centre(client, db, world):
    welder, baker, nurse = fleet_catalogue(db)["videos"]
    login(client, MANAGER)
    done = post_form(client, "/staff/headsets/MRS-VR-01/videos",
                     {"video": [str(welder.id), str(baker.id)]}, follow_redirects=False)
    assert done.status_code == 303
    installed = set(db.exec(select(InstalledVideo.video_id)
                            .where(InstalledVideo.headset_id == world.headsets[0].id)))
    assert installed == {welder.id, baker.id}

    post_form(client, "/staff/centres/marseille/videos",
              {"video": [str(nurse.id), str(baker.id)]})
    rows = fresh(db).exec(select(InstalledVideo.headset_id, InstalledVideo.video_id)).all()
    assert set(rows) == {(h.id, v.id) for h in world.headsets for v in (nurse, baker)}
    page = client.get("/staff/centres/marseille/videos?lang=en").text
    assert "on 3 of 3" in page


def test_unknown_video_ids_are_refused(client, db, world):
    login(client, MANAGER)
    response = post_form(client, "/staff/headsets/MRS-VR-01/videos", {"video": "9999"})
    assert response.status_code == 422
    assert db.exec(select(InstalledVideo)).first() is None


def test_centre_page_flags_booked_jobs_without_a_video(client, db, world):
    welder, baker, _nurse = fleet_catalogue(db)["jobs"]
    welder_video = db.exec(select(VideoJob.video_id).where(VideoJob.job_id == welder.id)).one()
    db.add(InstalledVideo(headset_id=world.headsets[0].id, video_id=welder_video))
    [booking] = confirmed_bookings(db, open_access_slot(db, world.marseille), 1)
    db.add_all([BookingJob(booking_id=booking.id, job_id=welder.id),
                BookingJob(booking_id=booking.id, job_id=baker.id)])
    db.commit()
    login(client, FACILITATOR)
    centre_page = client.get("/staff/centres/marseille")
    assert 'hx-get="/staff/centres/marseille/missing-videos"' in centre_page.text
    assert '/staff/centres/marseille/labels' in centre_page.text
    flags = client.get("/staff/centres/marseille/missing-videos?lang=en").text
    assert "Boulanger" in flags
    assert "Soudeur" not in flags
    assert "1 booking" in flags
    assert "Boulanger" in client.get("/staff/centres/marseille/videos").text  # without JS
