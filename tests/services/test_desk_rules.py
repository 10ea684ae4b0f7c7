"""The desk's rules: check-in refusals, the no-show release and walk-in seats (services)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from factories import book, slot_at, visitor
from vr_booking.jobs import mark_no_shows
from vr_booking.models import Booking, Participant, SessionKind, VRSession, utcnow
from vr_booking.services.desk.checkin import check_in, check_in_message
from vr_booking.services.desk.day import desk_day, slot_desks
from vr_booking.services.desk.no_shows import release_no_shows
from vr_booking.services.desk.walk_ins import add_walk_in
from vr_booking.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from vr_booking.services.open_access.booking import cancel_booking
from vr_booking.services.open_access.tickets import normalise_code

RELEASE = timedelta(minutes=10)  # Settings.no_show_release_minutes' default


@pytest.fixture
def hub(make_open_access, make_staff):
    """3 headsets, 1 kept for walk-ins: 2 bookable seats a slot; a facilitator of the hub."""
    open_access = make_open_access("hub", headsets=3, reserve=1)
    open_access.staff = make_staff("fac@example.org", centres=("hub",))
    return open_access


def before(slot, minutes: int = 5):
    return slot.starts_at - timedelta(minutes=minutes)


# --- check-in -------------------------------------------------------------------------------

def test_check_in_by_token_marks_the_booking_checked_in(db, hub):
    slot = hub.slots[0]
    booking = book(db, slot, "Ana")
    result = check_in(db, hub.staff, before(slot), token=booking.token, centre_id=hub.centre.id)
    db.commit()
    assert result.already is False
    assert (booking.status, booking.checked_in_at) == ("checked_in", before(slot))


@pytest.mark.parametrize("typed", ["{a}-{b}", "{a}{b}", "  {la}-{lb} ", "{la} {lb}"])
def test_short_code_is_accepted_with_or_without_dash_any_case_spaces_trimmed(db, hub, typed):
    booking = book(db, hub.slots[0], "Ana")
    code = booking.short_code
    text = typed.format(a=code[:4], b=code[4:], la=code[:4].lower(), lb=code[4:].lower())
    result = check_in(db, hub.staff, before(hub.slots[0]), code=text, centre_id=hub.centre.id)
    assert result.booking.id == booking.id


def test_normalise_code():
    assert normalise_code(" abcd-efgh\t") == "ABCDEFGH"


def test_a_ticket_url_typed_by_a_usb_scanner_is_understood(db, hub):
    booking = book(db, hub.slots[0], "Ana")
    result = check_in(db, hub.staff, before(hub.slots[0]),
                      code=f"http://testserver/b/{booking.token}", centre_id=hub.centre.id)
    assert result.booking.id == booking.id


def test_checking_in_twice_is_harmless_and_says_when(db, hub):
    slot = hub.slots[0]  # Wednesday 14:00, Paris time
    booking = book(db, slot, "Ana")
    first = check_in(db, hub.staff, before(slot, 5), code=booking.short_code)
    db.commit()
    first_message = check_in_message(first)
    again = check_in(db, hub.staff, before(slot, 1), code=booking.short_code)
    assert (first.already, again.already) == (False, True)
    assert booking.checked_in_at == before(slot, 5)  # the first check-in is kept
    assert "13:55" in check_in_message(again)
    assert check_in_message(again) != first_message


def test_unknown_code_is_not_found(db, hub):
    with pytest.raises(NotFound) as refused:
        check_in(db, hub.staff, before(hub.slots[0]), code="ZZZZ-ZZZZ")
    assert refused.value.code == "unknown_ticket"


def test_ticket_for_another_day_is_refused(db, hub):
    next_week = hub.slots[5]
    assert next_week.starts_at - hub.slots[0].starts_at >= timedelta(days=7)
    booking = book(db, next_week, "Ana")
    with pytest.raises(Conflict) as refused:
        check_in(db, hub.staff, before(hub.slots[0]), code=booking.short_code)
    assert refused.value.code == "wrong_day"
    assert db.get(Booking, booking.id).status == "confirmed"


def test_ticket_for_another_centre_is_refused_at_this_desk(db, hub, make_open_access,
                                                          make_staff):
    other = make_open_access("other", headsets=2)
    both = make_staff("both@example.org", centres=("hub", "other"))
    booking = book(db, other.slots[0], "Ana")
    with pytest.raises(Conflict) as refused:
        check_in(db, both, before(other.slots[0]), code=booking.short_code,
                 centre_id=hub.centre.id)
    assert refused.value.code == "wrong_centre"
    assert "Other" in refused.value.message


def test_staff_of_another_centre_may_not_check_in(db, hub, make_open_access, make_staff):
    make_open_access("other", headsets=2)
    outsider = make_staff("out@example.org", centres=("other",))
    booking = book(db, hub.slots[0], "Ana")
    with pytest.raises(Forbidden):
        check_in(db, outsider, before(hub.slots[0]), code=booking.short_code)


def test_cancelled_booking_is_refused(db, hub):
    booking = book(db, hub.slots[0], "Ana")
    cancel_booking(db, booking.token, utcnow())
    db.commit()
    with pytest.raises(Conflict) as refused:
        check_in(db, hub.staff, before(hub.slots[0]), code=booking.short_code)
    assert refused.value.code == "cancelled"


def test_waitlisted_booking_is_refused(db, hub):
    slot = hub.slots[0]
    book(db, slot, "Ana")
    book(db, slot, "Ben")
    waiting = book(db, slot, "Chloé")
    assert waiting.status == "waitlisted"
    with pytest.raises(Conflict) as refused:
        check_in(db, hub.staff, before(slot), code=waiting.short_code)
    assert refused.value.code == "waitlisted"


# --- no-show release ------------------------------------------------------------------------

def test_no_show_release_happens_ten_minutes_after_the_start_and_is_idempotent(db, hub):
    slot = hub.slots[0]
    booking = book(db, slot, "Ana")
    arrived = book(db, slot, "Ben")
    check_in(db, hub.staff, before(slot), code=arrived.short_code)
    assert release_no_shows(db, slot.starts_at + RELEASE - timedelta(seconds=1)) == 0
    assert booking.status == "confirmed"
    assert release_no_shows(db, slot.starts_at + RELEASE) == 1
    assert release_no_shows(db, slot.starts_at + RELEASE) == 0
    db.commit()
    assert (booking.status, arrived.status) == ("no_show", "checked_in")


def test_release_is_limited_to_the_centres_asked(db, hub, make_open_access):
    other = make_open_access("other", headsets=2)
    book(db, other.slots[0], "Ana")
    late = other.slots[0].starts_at + RELEASE
    assert release_no_shows(db, late, [hub.centre.id]) == 0
    assert release_no_shows(db, late, [other.centre.id]) == 1


@pytest.mark.parametrize("desk_action", ["check_in", "walk_in"])
def test_the_desk_releases_todays_seats_and_leaves_older_ones_to_the_sweep(db, hub,
                                                                          desk_action):
    slot = hub.slots[0]
    yesterday = visitor(db, slot_at(db, hub.centre, slot.starts_at - timedelta(days=1)), "Old")
    today = book(db, slot, "Ana")
    after = slot.starts_at + RELEASE
    if desk_action == "check_in":
        check_in(db, hub.staff, after, code=book(db, slot, "Ben").short_code)
    else:
        add_walk_in(db, hub.staff, slot.id, after)
    assert (today.status, yesterday.status) == ("no_show", "confirmed")
    assert release_no_shows(db, after) == 1  # the sweep's


def test_the_release_delay_is_a_setting(db, hub, settings):
    db.info["settings"] = settings.model_copy(update={"no_show_release_minutes": 3})
    slot = hub.slots[0]
    book(db, slot, "Ana")
    assert release_no_shows(db, slot.starts_at + timedelta(minutes=3)) == 1


def test_a_booking_left_confirmed_long_ago_is_still_released(db, hub):
    """The sweep finds confirmed bookings by status (an index of the few still confirmed),
    with no lower bound on the start: a stopped scheduler's backlog is released too."""
    slot = hub.slots[0]
    booking = book(db, slot, "Ana")
    assert release_no_shows(db, slot.starts_at + timedelta(days=400)) == 1
    db.commit()
    assert booking.status == "no_show"


def test_the_periodic_job_releases_no_shows(db, engine, hub, settings, time_machine):
    slot = hub.slots[0]
    booking = book(db, slot, "Ana")
    time_machine.move_to(slot.starts_at + RELEASE + timedelta(minutes=1), tick=False)
    mark_no_shows(engine, settings)
    db.commit()
    db.refresh(booking)
    assert booking.status == "no_show"


def test_a_late_visitor_gets_a_released_seat_only_if_one_is_free(db, hub):
    slot = hub.slots[0]
    late, other = book(db, slot, "Ana"), book(db, slot, "Ben")
    after = slot.starts_at + RELEASE
    check_in(db, hub.staff, after, code=late.short_code)
    assert late.status == "checked_in"  # a seat was free: the late visitor takes it

    db.commit()
    for _seat in range(2):  # the reserve and Ben's released seat
        add_walk_in(db, hub.staff, slot.id, after)
    with pytest.raises(Conflict) as refused:
        check_in(db, hub.staff, after, code=other.short_code)
    assert refused.value.code == "seat_released"


# --- walk-ins -------------------------------------------------------------------------------

def test_walk_ins_use_the_reserve_and_unbooked_seats_then_are_refused(db, hub):
    slot = hub.slots[0]
    book(db, slot, "Ana")  # 2 bookable + 1 reserve = 3 headsets; Ana holds one
    at = before(slot)
    assert add_walk_in(db, hub.staff, slot.id, at, age_band="18-24",
                       gender="female").free_for_walk_ins == 1
    assert add_walk_in(db, hub.staff, slot.id, at).free_for_walk_ins == 0
    with pytest.raises(Conflict) as refused:
        add_walk_in(db, hub.staff, slot.id, at)
    assert refused.value.code == "no_free_seat"
    db.commit()
    people = db.exec(select(Participant).where(Participant.session_id == slot.id)).all()
    assert len(people) == 2
    assert all(p.is_walk_in and p.display_name == "" for p in people)
    assert {(p.age_band, p.gender) for p in people} == {("18-24", "female"), ("", "")}


def test_a_no_show_seat_goes_to_walk_ins_after_the_release(db, hub):
    slot = hub.slots[0]
    book(db, slot, "Ana")
    book(db, slot, "Ben")
    assert add_walk_in(db, hub.staff, slot.id, before(slot)).free_for_walk_ins == 0
    db.commit()
    with pytest.raises(Conflict):
        add_walk_in(db, hub.staff, slot.id, before(slot))
    db.rollback()
    desk = add_walk_in(db, hub.staff, slot.id, slot.starts_at + RELEASE)
    assert (desk.walk_ins, desk.free_for_walk_ins) == (2, 1)  # two no-shows released


def test_walk_in_refusals(db, hub, make_open_access, make_staff):
    slot = hub.slots[0]
    with pytest.raises(InvalidInput) as bad:
        add_walk_in(db, hub.staff, slot.id, before(slot), age_band="7-9", gender="robot")
    assert set(bad.value.fields) == {"age_band", "gender"}
    with pytest.raises(Conflict) as other_day:
        add_walk_in(db, hub.staff, hub.slots[5].id, before(slot))
    assert other_day.value.code == "wrong_day"
    with pytest.raises(NotFound):
        add_walk_in(db, hub.staff, 999_999, before(slot))
    other = make_open_access("other", headsets=2)
    with pytest.raises(NotFound):  # a slot of another centre, from this centre's desk
        add_walk_in(db, hub.staff, other.slots[0].id, before(slot), centre_id=hub.centre.id)
    with pytest.raises(Forbidden):
        add_walk_in(db, make_staff("out@example.org", centres=("other",)), slot.id,
                    before(slot))


# --- the day --------------------------------------------------------------------------------

def test_desk_day_lists_the_local_days_slots_with_people_and_counts(db, hub):
    slot = hub.slots[0]
    ana = book(db, slot, "Ana")
    book(db, slot, "Ben")
    book(db, slot, "Chloé")  # waiting
    check_in(db, hub.staff, before(slot), code=ana.short_code)
    add_walk_in(db, hub.staff, slot.id, before(slot))
    db.commit()
    day = desk_day(db, hub.centre, before(slot, 60))
    assert [d.load.slot.id for d in day.slots] == [s.id for s in hub.slots[:5]]
    first = day.slots[0]
    assert [b.name for b in first.bookings] == ["Ana", "Ben", "Chloé"]
    assert (first.count("checked_in"), first.count("confirmed"), first.load.waitlisted) == (
        1, 1, 1)
    assert (first.load.capacity, first.load.headsets, first.walk_ins) == (2, 3, 1)
    assert first.free_for_walk_ins == 0
    assert day.groups == []


def test_desk_day_lists_the_days_group_sessions_with_their_roster(db, hub):
    slot = hub.slots[0]
    workshop = VRSession(centre_id=hub.centre.id, kind=SessionKind.workshop, title="Cuisine",
                         starts_at=slot.starts_at - timedelta(hours=4),
                         ends_at=slot.starts_at - timedelta(hours=2))
    next_week = VRSession(centre_id=hub.centre.id, kind=SessionKind.group_visit,
                          starts_at=hub.slots[5].starts_at, ends_at=hub.slots[5].ends_at)
    db.add_all([workshop, next_week])
    db.flush()
    db.add_all([Participant(session_id=workshop.id, display_name="Léa",
                            checked_in_at=workshop.starts_at),
                Participant(session_id=workshop.id, display_name="Marc")])
    db.commit()
    day = desk_day(db, hub.centre, before(slot))
    assert [g.session.title for g in day.groups] == ["Cuisine"]
    assert [p.display_name for p in day.groups[0].participants] == ["Léa", "Marc"]
    assert day.groups[0].checked_in == 1


def test_walk_in_seats_never_exceed_the_headsets_when_the_reserve_is_larger(db, make_open_access):
    """Two headsets but a reserve of three: capacity is 0, walk-ins get the two headsets."""
    slot = make_open_access("tiny", headsets=2, reserve=3).slots[0]
    desk = slot_desks(db, [slot])[0]
    assert (desk.load.capacity, desk.free_for_walk_ins) == (0, 2)
