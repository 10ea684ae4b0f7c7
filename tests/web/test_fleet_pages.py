"""The headset fleet: inventory, headset page, edits, service states, cleaning, charge, content.

Helpers here (``fleet_world``, ``add_headsets``, ``post_form``…) are reused by the other
``test_fleet_*`` modules.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from conftest import login
from vr_booking.models import (
    Allocation,
    Booking,
    BookingJob,
    BookingStatus,
    Centre,
    Cleaning,
    Headset,
    HeadsetStateChange,
    HeadsetUse,
    InstalledVideo,
    Job,
    Loan,
    LoanHeadset,
    OpenAccessRule,
    OutboxMessage,
    Sector,
    SessionKind,
    Video,
    VideoJob,
    VRSession,
    utcnow,
)
from vr_booking.services.fleet import content as fleet_content
from vr_booking.services.fleet import detail as fleet_history
from vr_booking.services.fleet import inventory as fleet
from vr_booking.services.fleet.charge import Battery, estimate_charge, estimate_remaining_minutes
from vr_booking.services.open_access import capacity
from vr_booking.services.open_access.slots import generate_slots
from vr_booking.services.timeutil import to_local

MANAGER = "camille@example.org"
FACILITATOR = "sami@example.org"
GAP_FACILITATOR = "lea@example.org"


@dataclass
class World:
    marseille: Centre
    gap: Centre
    headsets: list[Headset]


@pytest.fixture
def world(db: Session, make_centre, make_staff) -> World:
    return make_world(db, make_centre, make_staff)


def make_world(db: Session, make_centre, make_staff) -> World:
    """Marseille (3 headsets, a manager and a facilitator) and Gap (a facilitator)."""
    marseille = make_centre("marseille", name="Cité des métiers de Marseille",
                            contact_email="cdm@example.org", phone="04 00 00 00 00",
                            address="4 rue des Consuls", postcode="13002", city="Marseille")
    gap = make_centre("gap", name="Centre associé de Gap", hub_id=marseille.id)
    make_staff(MANAGER, role="manager", centres=("marseille",))
    make_staff(FACILITATOR, centres=("marseille",))
    make_staff(GAP_FACILITATOR, centres=("gap",))
    return World(marseille, gap, add_headsets(db, marseille, 3))


def add_headsets(db: Session, centre: Centre, count: int, prefix: str = "MRS-VR-",
                 **fields: object) -> list[Headset]:
    fields = {"model": "Meta Quest 3", **fields}
    headsets = [Headset(asset_tag=f"{prefix}{n:02d}", serial=f"SN-{prefix}{n}",
                        home_centre_id=centre.id, **fields) for n in range(1, count + 1)]
    db.add_all(headsets)
    db.commit()
    return headsets


def post_form(client: TestClient, url: str, data: dict | None = None, **kwargs):
    """POST a form with the CSRF token the signed-in client holds (lists repeat a field)."""
    return client.post(url, data={"csrftoken": client.cookies["csrftoken"], **(data or {})},
                       **kwargs)


def centre_today(centre: Centre) -> date:
    return to_local(utcnow(), centre.timezone).date()


def open_access_slot(db: Session, centre: Centre, walk_in_reserve: int = 0) -> VRSession:
    """One 20-minute open-access slot two days from now at 14:00 (centre time)."""
    today = centre_today(centre)
    rule = OpenAccessRule(centre_id=centre.id, weekday=(today + timedelta(days=2)).weekday(),
                          start_time=time(14, 0), end_time=time(14, 20), seat_minutes=20,
                          buffer_minutes=2, horizon_weeks=1, walk_in_reserve=walk_in_reserve)
    db.add(rule)
    db.flush()
    [slot] = generate_slots(db, rule, today)
    db.commit()
    return slot


def book(db: Session, slot: VRSession, count: int) -> list[Booking]:
    """``count`` confirmed bookings, one second apart (the last is the newest)."""
    start = utcnow() - timedelta(hours=1)
    bookings = [Booking(session_id=slot.id, token=secrets.token_urlsafe(16),
                        short_code=secrets.token_hex(4).upper(), name=f"Visitor {n}",
                        created_at=start + timedelta(seconds=n)) for n in range(count)]
    db.add_all(bookings)
    db.commit()
    return bookings


def workshop(db: Session, centre: Centre, headset: Headset, starts_in: timedelta,
             minutes: int = 120, title: str = "Atelier industrie") -> VRSession:
    """A workshop with ``headset`` allocated for its whole duration."""
    starts_at = utcnow() + starts_in
    session = VRSession(centre_id=centre.id, kind=SessionKind.workshop, title=title,
                        starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
                        headsets_reserved=1, group_size=8)
    db.add(session)
    db.flush()
    db.add(Allocation(headset_id=headset.id, session_id=session.id,
                      starts_at=session.starts_at, ends_at=session.ends_at))
    db.commit()
    return session


def lend(db: Session, headset: Headset, lender: Centre, borrower: Centre,
         days: int = 1) -> Loan:
    """A loan in effect from yesterday to ``days`` from today."""
    today = centre_today(lender)
    loan = Loan(from_centre_id=lender.id, to_centre_id=borrower.id, status="active",
                start_date=today - timedelta(days=1), end_date=today + timedelta(days=days))
    db.add(loan)
    db.flush()
    db.add(LoanHeadset(loan_id=loan.id, headset_id=headset.id))
    db.commit()
    return loan


def fresh(db: Session) -> Session:
    """End the test's read transaction, so that it sees what the app committed since."""
    db.commit()
    db.expire_all()
    return db


def reload(db: Session, headset: Headset) -> Headset:
    return fresh(db).get(Headset, headset.id)


# --- charge estimate (pure) -----------------------------------------------------------------

def test_estimate_draws_the_recorded_level_down_by_the_time_worn():
    now = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    recorded = now - timedelta(hours=2)
    uses = [
        (recorded - timedelta(minutes=30), recorded - timedelta(minutes=5)),  # before: ignored
        (recorded + timedelta(minutes=10), recorded + timedelta(minutes=30)),  # 20 min
        (now - timedelta(minutes=10), None),  # still worn: 10 min until now
    ]
    assert estimate_remaining_minutes(50, recorded, uses, now, full_minutes=120) == 30
    assert estimate_remaining_minutes(None, None, uses, now, full_minutes=120) is None
    assert estimate_remaining_minutes(10, recorded, uses, now, full_minutes=120) == 0


def test_fits_keeps_the_margin_and_never_trusts_an_unknown_charge():
    now = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    battery = Battery(full_minutes=120, recharge_minutes=150, margin_minutes=15)
    half = estimate_charge(50, now, [], now, battery)
    assert (half.percent, half.minutes_left, half.minutes_to_full) == (50, 60, 75)
    assert half.fits(45)
    assert not half.fits(46)
    unknown = estimate_charge(None, None, [], now, battery)
    assert not unknown.is_known
    assert not unknown.fits(1)
    assert unknown.minutes_to_full is None


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


def test_next_use_fits_uses_the_running_use_and_the_margin(db, world):
    headset = world.headsets[0]
    vr_session = workshop(db, world.marseille, headset, timedelta(days=1), minutes=60)
    headset.charge_percent, headset.charge_recorded_at = 100, utcnow() - timedelta(hours=1)
    db.add(headset)
    db.add(HeadsetUse(headset_id=headset.id, session_id=vr_session.id, participant_id=None,
                      booking_id=_a_booking(db, world).id,
                      started_at=utcnow() - timedelta(minutes=50)))
    db.commit()
    row = fleet_history.headset_summary(db, headset, utcnow(), Battery())
    assert row.in_use
    assert 68 <= row.charge.minutes_left <= 70  # 120 - 50 worn (and counting)
    assert not row.next_use_fits  # 60 + 15 > ~70


def _a_booking(db: Session, world: World) -> Booking:
    return book(db, open_access_slot(db, world.marseille), 1)[0]


# --- cleaning -------------------------------------------------------------------------------

def test_a_returned_headset_is_to_clean_until_a_cleaning_is_logged(client, db, world):
    headset = world.headsets[0]
    booking = _a_booking(db, world)
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


def test_needs_cleaning_rule():
    earlier, later = datetime(2026, 1, 1, 10, tzinfo=UTC), datetime(2026, 1, 1, 11, tzinfo=UTC)
    assert not fleet.needs_cleaning(False, None, None)  # never used
    assert fleet.needs_cleaning(False, later, None)
    assert fleet.needs_cleaning(False, later, earlier)  # cleaned before the last return
    assert not fleet.needs_cleaning(False, earlier, later)
    assert not fleet.needs_cleaning(True, later, None)  # being worn right now


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
    book(db, slot, 3)  # 3 headsets, 3 seats, 3 confirmed
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
    book(db, open_access_slot(db, world.marseille), 2)
    login(client, MANAGER)
    done = post_form(client, "/staff/headsets/MRS-VR-02/state",
                     {"to_state": "maintenance", "reason": "Firmware update"},
                     follow_redirects=False)
    assert done.status_code == 303


def test_confirmed_change_moves_the_newest_booking_to_the_waiting_list(client, db, world):
    slot = open_access_slot(db, world.marseille)
    bookings = book(db, slot, 3)
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
    book(db, slot, 1)  # Gap's only seat is the lent headset
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
    book(db, open_access_slot(db, world.marseille), 3)
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


def test_inventory_shows_installed_videos_and_next_use(client, db, world):
    videos = _catalogue(db)["videos"]
    db.add_all(InstalledVideo(headset_id=world.headsets[0].id, video_id=v.id) for v in videos)
    workshop(db, world.marseille, world.headsets[0], timedelta(days=1), title="Atelier soudure")
    login(client, MANAGER)
    row = _row_of(client.get("/staff/headsets").text, "MRS-VR-01")
    assert "<td>3</td>" in row
    assert "Atelier soudure" in row


def _row_of(html: str, tag: str) -> str:
    start = html.index(f">{tag}</a>")
    return html[start:html.index("</tr>", start)]


# --- installed content ----------------------------------------------------------------------

def _catalogue(db: Session) -> dict:
    """Three jobs, each with its own video: welder, baker, nurse."""
    sector = Sector(slug="industrie", name="Industrie")
    db.add(sector)
    db.flush()
    jobs, videos = [], []
    for slug, title, rome in (("soudeur", "Soudeur", "H2913"), ("boulanger", "Boulanger",
                                                                 "D1102"),
                              ("infirmier", "Infirmier", "J1506")):
        job = Job(slug=slug, title=title, rome_code=rome, sector_id=sector.id)
        video = Video(slug=f"video-{slug}", title=f"Video {title}", duration_seconds=300)
        db.add_all([job, video])
        db.flush()
        db.add(VideoJob(video_id=video.id, job_id=job.id))
        jobs.append(job)
        videos.append(video)
    db.commit()
    return {"jobs": jobs, "videos": videos}


def test_manager_sets_installed_videos_per_headset_and_per_centre(client, db, world):
    welder, baker, nurse = _catalogue(db)["videos"]
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


def test_missing_videos_for_jobs_counts_only_in_service_headsets_at_the_centre(db, world):
    jobs = _catalogue(db)["jobs"]
    welder_video, baker_video, nurse_video = (
        db.exec(select(VideoJob.video_id).where(VideoJob.job_id == j.id)).one() for j in jobs)
    first, second, third = world.headsets
    second.service_state = "maintenance"
    db.add(second)
    db.add(InstalledVideo(headset_id=first.id, video_id=welder_video))
    db.add(InstalledVideo(headset_id=second.id, video_id=baker_video))  # out of service
    db.add(InstalledVideo(headset_id=third.id, video_id=nurse_video))
    db.commit()
    missing = fleet_content.missing_videos_for_jobs(db, world.marseille, [j.id for j in jobs])
    assert [j.slug for j in missing] == ["boulanger"]

    lend(db, third, world.marseille, world.gap)  # the nurse video leaves with it
    missing = fleet_content.missing_videos_for_jobs(db, world.marseille, [j.id for j in jobs])
    assert [j.slug for j in missing] == ["boulanger", "infirmier"]
    at_gap = fleet_content.missing_videos_for_jobs(db, world.gap, [j.id for j in jobs])
    assert [j.slug for j in at_gap] == ["boulanger", "soudeur"]


def test_centre_page_flags_booked_jobs_without_a_video(client, db, world):
    welder, baker, _nurse = _catalogue(db)["jobs"]
    welder_video = db.exec(select(VideoJob.video_id).where(VideoJob.job_id == welder.id)).one()
    db.add(InstalledVideo(headset_id=world.headsets[0].id, video_id=welder_video))
    [booking] = book(db, open_access_slot(db, world.marseille), 1)
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
