"""Handing headsets out and taking them back (services): every refusal, the caps, the
suggestion, return → to clean → cleaning, and the videos watched."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from factories import Desk, arrive, book, charge, give, make_desk, take_back
from vr_booking.models import (
    Allocation,
    BookingJob,
    Centre,
    Headset,
    HeadsetUse,
    InstalledVideo,
    Job,
    Loan,
    LoanHeadset,
    Participant,
    Sector,
    SessionKind,
    Video,
    VideoJob,
    VRSession,
    WatchedVideo,
)
from vr_booking.services.desk.board import headset_board
from vr_booking.services.desk.checkin import check_in_participant
from vr_booking.services.desk.handout import (
    default_video_ids,
    hand_out,
    record_watched,
)
from vr_booking.services.desk.rules import Caps, immersion
from vr_booking.services.desk.walk_ins import add_walk_in
from vr_booking.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from vr_booking.services.fleet.charge import Battery
from vr_booking.services.fleet.detail import headset_summary
from vr_booking.services.fleet.edits import log_cleaning

pytestmark = pytest.mark.usefixtures("english")  # the tests read service messages
CAPS = Caps()  # 20 min for a first immersion, 30 for anyone (the settings' defaults)


@pytest.fixture
def desk(db: Session, make_open_access, make_staff) -> Desk:
    return make_desk(db, make_open_access, make_staff)


def refused(db: Session, desk: Desk, tag: str, at: datetime | None = None, **person) -> str:
    with pytest.raises(Conflict) as error:
        give(db, desk, tag, at, **person)
    db.rollback()
    return error.value.code


# --- hand-out -------------------------------------------------------------------------------

def test_a_checked_in_visitor_gets_a_headset_for_a_first_immersion(db, desk):
    done = give(db, desk, "HUB-VR-01")
    use = db.exec(select(HeadsetUse)).one()
    assert (use.headset_id, use.booking_id, use.session_id) == (
        desk.headsets[0].id, desk.ana.id, desk.slots[0].id)
    assert (use.started_at, use.returned_at, use.handed_out_by_id) == (
        desk.now, None, desk.staff.id)
    assert use.is_first_immersion
    assert done.immersion.cap_minutes == 20
    assert done.holder.name == "Ana"


def test_a_visitor_not_checked_in_is_refused(db, desk):
    ben = book(db, desk.slots[0], "Ben")
    assert refused(db, desk, "HUB-VR-01", code=ben.short_code) == "not_checked_in"


def test_a_person_holds_one_headset_at_a_time(db, desk):
    give(db, desk, "HUB-VR-01")
    assert refused(db, desk, "HUB-VR-02") == "already_has_headset"


def test_a_headset_being_worn_is_not_handed_out_again(db, desk):
    give(db, desk, "HUB-VR-01")
    ben = arrive(db, desk, "Ben")
    assert refused(db, desk, "HUB-VR-01", code=ben.short_code) == "headset_in_use"


def test_a_returned_headset_is_refused_until_cleaned(db, desk):
    give(db, desk, "HUB-VR-01")
    take_back(db, desk, "HUB-VR-01", desk.now + timedelta(minutes=12))
    ben = arrive(db, desk, "Ben")
    later = desk.now + timedelta(minutes=13)
    assert refused(db, desk, "HUB-VR-01", later, code=ben.short_code) == "headset_dirty"
    log_cleaning(db, desk.headsets[0], "uvc", desk.staff, later)
    db.commit()
    assert give(db, desk, "HUB-VR-01", later, code=ben.short_code).headset.asset_tag == (
        "HUB-VR-01")


@pytest.mark.parametrize(("percent", "words"), [(None, "never recorded"),
                                                (20, "about 24 min of use left")])
def test_a_headset_without_enough_or_unknown_charge_is_refused(db, desk, percent, words):
    headset = desk.headsets[0]  # 20 % = 24 min < 20 min first immersion + 15 min margin
    charge(db, [headset], percent, desk.now if percent else None)
    with pytest.raises(Conflict) as error:
        give(db, desk, "HUB-VR-01")
    assert error.value.code == "headset_low_charge"
    assert words in error.value.message


def test_the_charge_needed_follows_the_persons_cap(db, desk):
    """30 % = 36 min: enough for a first immersion (20 + 15), not for a second (30 + 15)."""
    charge(db, desk.headsets[:2], 30, desk.now)
    give(db, desk, "HUB-VR-01")
    take_back(db, desk, "HUB-VR-01", desk.now + timedelta(minutes=1))
    assert refused(db, desk, "HUB-VR-02", desk.now + timedelta(minutes=2)) == (
        "headset_low_charge")
    assert give(db, desk, "HUB-VR-03", desk.now + timedelta(minutes=2)).immersion == immersion(
        desk.now + timedelta(minutes=2), False, desk.now + timedelta(minutes=2), CAPS)


@pytest.mark.parametrize("state", ["maintenance", "lost", "retired"])
def test_a_headset_out_of_service_is_refused(db, desk, state):
    desk.headsets[0].service_state = state
    db.add(desk.headsets[0])
    db.commit()
    assert refused(db, desk, "HUB-VR-01") == "headset_out_of_service"


def test_a_headset_of_another_centre_is_refused(db, desk, make_open_access):
    make_open_access("other", headsets=1)
    charge(db, list(db.exec(select(Headset).where(Headset.asset_tag == "OTH-VR-01"))), 100,
           desk.now)
    assert refused(db, desk, "OTH-VR-01") == "headset_elsewhere"


def test_a_headset_lent_away_today_is_refused(db, desk, make_centre):
    other = make_centre("other")
    today = desk.now.date()
    loan = Loan(from_centre_id=desk.centre.id, to_centre_id=other.id, status="active",
                start_date=today - timedelta(days=1), end_date=today + timedelta(days=1))
    db.add(loan)
    db.flush()
    db.add(LoanHeadset.of(loan, desk.headsets[0].id))
    db.commit()
    assert refused(db, desk, "HUB-VR-01") == "headset_elsewhere"
    board = headset_board(db, desk.centre, desk.slots[:1], desk.now)
    assert [(h.asset_tag, c.slug) for h, c in board.lent_away] == [("HUB-VR-01", "other")]


def test_a_foam_cover_is_refused_for_open_access_but_fine_for_a_group(db, desk):
    desk.headsets[0].face_cover = "foam"
    db.add(desk.headsets[0])
    db.commit()
    assert refused(db, desk, "HUB-VR-01") == "headset_foam_cover"
    member = group_member(db, desk)
    check_in_participant(db, desk.staff, member.id, desk.now, desk.centre.id)
    assert give(db, desk, "HUB-VR-01", participant_id=member.id).holder.name == "Léa"


def test_a_headset_reserved_for_another_session_meanwhile_is_refused(db, desk):
    workshop = group_session(db, desk, starts_in=timedelta(minutes=10))
    db.add(Allocation(headset_id=desk.headsets[0].id, session_id=workshop.id,
                      starts_at=workshop.starts_at, ends_at=workshop.ends_at))
    db.commit()
    assert refused(db, desk, "HUB-VR-01") == "headset_reserved"  # 20 min from now overlaps
    member = group_member(db, desk, workshop)
    check_in_participant(db, desk.staff, member.id, desk.now, desk.centre.id)
    assert give(db, desk, "HUB-VR-01", participant_id=member.id)  # its own session's


def test_a_ticket_checked_in_on_another_day_is_refused(db, desk):
    assert refused(db, desk, "HUB-VR-01", desk.now + timedelta(days=7)) == "wrong_day"


def test_unknown_headset_ticket_or_participant_is_not_found(db, desk):
    with pytest.raises(NotFound):
        give(db, desk, "HUB-VR-99")
    with pytest.raises(NotFound):
        give(db, desk, "HUB-VR-01", code="ZZZZ-ZZZZ")
    with pytest.raises(NotFound):
        give(db, desk, "HUB-VR-01", participant_id=999_999)


def test_staff_of_another_centre_may_not_hand_out(db, desk, make_open_access, make_staff):
    make_open_access("other", headsets=1)
    outsider = make_staff("out@example.org", centres=("other",))
    with pytest.raises(Forbidden):
        hand_out(db, outsider, desk.now, "HUB-VR-01", code=desk.ana.short_code)
    with pytest.raises(Conflict) as error:  # the desk of another centre
        hand_out(db, desk.staff, desk.now, "HUB-VR-01", code=desk.ana.short_code,
                 centre_id=db.exec(select(Centre.id).where(Centre.slug == "other")).one())
    assert error.value.code == "wrong_centre"


def test_a_walk_in_gets_a_headset_by_participant_id(db, desk):
    add_walk_in(db, desk.staff, desk.slots[0].id, desk.now)
    db.commit()
    walk_in = db.exec(select(Participant).where(Participant.is_walk_in)).one()
    assert give(db, desk, "HUB-VR-02", participant_id=walk_in.id).holder.name == "Walk-in 1"


# --- group participants' check-in -----------------------------------------------------------

def group_session(db: Session, desk: Desk, starts_in=timedelta(0)) -> VRSession:
    start = desk.now + starts_in
    workshop = VRSession(centre_id=desk.centre.id, kind=SessionKind.workshop, title="Cuisine",
                         starts_at=start, ends_at=start + timedelta(hours=2))
    db.add(workshop)
    db.commit()
    return workshop


def group_member(db: Session, desk: Desk, workshop: VRSession | None = None) -> Participant:
    member = Participant(session_id=(workshop or group_session(db, desk)).id,
                         display_name="Léa")
    db.add(member)
    db.commit()
    return member


def test_group_participants_check_in_once(db, desk):
    member = group_member(db, desk)
    assert refused(db, desk, "HUB-VR-01", participant_id=member.id) == "not_checked_in"
    holder, already = check_in_participant(db, desk.staff, member.id, desk.now, desk.centre.id)
    db.commit()
    assert (holder.name, already, member.checked_in_at) == ("Léa", False, desk.now)
    _holder, again = check_in_participant(db, desk.staff, member.id,
                                          desk.now + timedelta(minutes=3), desk.centre.id)
    assert again is True
    assert member.checked_in_at == desk.now


def test_group_check_in_is_refused_on_another_day(db, desk):
    member = group_member(db, desk)
    with pytest.raises(Conflict) as error:
        check_in_participant(db, desk.staff, member.id, desk.now + timedelta(days=2))
    assert error.value.code == "wrong_day"


# --- caps (rule 4) --------------------------------------------------------------------------

START = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(("is_first", "worn", "cap", "minutes", "overdue"), [
    (True, timedelta(minutes=19, seconds=59), 20, 19, False),
    (True, timedelta(minutes=20), 20, 20, False),
    (True, timedelta(minutes=20, seconds=1), 20, 20, True),
    (False, timedelta(minutes=25), 30, 25, False),
    (False, timedelta(minutes=30), 30, 30, False),
    (False, timedelta(minutes=31), 30, 31, True),
])
def test_caps_are_20_minutes_for_a_first_timer_and_30_for_anyone(is_first, worn, cap, minutes,
                                                                  overdue):
    result = immersion(START, is_first, START + worn, CAPS)
    assert (result.cap_minutes, result.elapsed_minutes, result.is_overdue) == (
        cap, minutes, overdue)


def test_the_caps_come_from_the_settings(settings):
    caps = Caps.from_settings(settings.model_copy(update={"first_immersion_minutes": 15,
                                                          "max_immersion_minutes": 25}))
    assert (caps.cap(True), caps.cap(False)) == (15, 25)
    assert Caps(first_minutes=40, max_minutes=30).cap(True) == 30  # never above the hard cap


def test_a_clock_running_behind_never_shows_negative_minutes():
    assert immersion(START, True, START - timedelta(minutes=1), CAPS).elapsed_minutes == 0


def test_a_second_immersion_is_not_a_first_one(db, desk):
    assert give(db, desk, "HUB-VR-01").use.is_first_immersion
    take_back(db, desk, "HUB-VR-01", desk.now + timedelta(minutes=15))
    again = give(db, desk, "HUB-VR-02", desk.now + timedelta(minutes=30))
    assert not again.use.is_first_immersion
    assert again.immersion.cap_minutes == 30


def test_the_board_flags_an_overdue_immersion(db, desk):
    give(db, desk, "HUB-VR-01")
    board = headset_board(db, desk.centre, desk.slots[:1], desk.now + timedelta(minutes=21))
    line = board.lines[0]
    assert (line.status, line.holder.name) == ("in_use", "Ana")
    assert (line.immersion.elapsed_minutes, line.immersion.cap_minutes) == (21, 20)
    assert line.immersion.is_overdue
    assert board.for_booking(desk.ana).headset.asset_tag == "HUB-VR-01"


# --- return and cleaning --------------------------------------------------------------------

def test_return_ends_the_use_counts_the_minutes_and_leaves_it_to_clean(db, desk):
    give(db, desk, "HUB-VR-01")
    done = take_back(db, desk, "HUB-VR-01", desk.now + timedelta(minutes=17, seconds=20))
    headset = db.get(Headset, desk.headsets[0].id)
    assert (done.minutes, done.use.returned_at) == (17, desk.now + timedelta(minutes=17,
                                                                             seconds=20))
    assert (headset.usage_minutes, headset.usage_count) == (17, 1)
    later = desk.now + timedelta(minutes=18)
    summary = headset_summary(db, headset, later, Battery())
    assert (summary.in_use, summary.to_clean) == (False, True)

    log_cleaning(db, headset, "wipes", desk.staff, later)
    db.commit()
    assert not headset_summary(db, headset, later, Battery()).to_clean


def test_returning_a_headset_nobody_wears_is_refused(db, desk):
    with pytest.raises(Conflict) as error:
        take_back(db, desk, "HUB-VR-01", desk.now)
    assert error.value.code == "headset_not_in_use"


def test_the_board_shows_each_headsets_state(db, desk):
    give(db, desk, "HUB-VR-01")
    ben = arrive(db, desk, "Ben")
    give(db, desk, "HUB-VR-02", code=ben.short_code)
    take_back(db, desk, "HUB-VR-02", desk.now + timedelta(minutes=5))
    charge(db, [desk.headsets[2]], 10, desk.now)
    db.add(Headset(asset_tag="HUB-VR-04", home_centre_id=desk.centre.id,
                   service_state="maintenance"))
    db.commit()
    board = headset_board(db, desk.centre, desk.slots[:1], desk.now + timedelta(minutes=6))
    assert [(line.candidate.headset.asset_tag, line.status) for line in board.lines] == [
        ("HUB-VR-01", "in_use"), ("HUB-VR-02", "to_clean"), ("HUB-VR-03", "low_charge"),
        ("HUB-VR-04", "out")]
    assert board.for_booking(ben).options == []  # nothing ready for Ben


# --- the suggestion -------------------------------------------------------------------------

@pytest.fixture
def kitchen(db: Session, desk: Desk) -> tuple[Job, Video]:
    """A job with a video installed on HUB-VR-03 only."""
    sector = Sector(slug="food", name="Food")
    db.add(sector)
    db.flush()
    job = Job(slug="cook", title="Cook", rome_code="G1602", sector_id=sector.id)
    video = Video(slug="kitchen", title="In a kitchen", duration_seconds=300)
    other = Video(slug="garage", title="In a garage", duration_seconds=300)
    db.add_all([job, video, other])
    db.flush()
    db.add_all([VideoJob(video_id=video.id, job_id=job.id),
                InstalledVideo(headset_id=desk.headsets[2].id, video_id=video.id),
                InstalledVideo(headset_id=desk.headsets[2].id, video_id=other.id),
                InstalledVideo(headset_id=desk.headsets[0].id, video_id=other.id)])
    db.commit()
    return job, video


def test_the_suggestion_shows_the_chosen_job_first_then_the_most_charge(db, desk, kitchen):
    job, _video = kitchen
    charge(db, [desk.headsets[1]], 90, desk.now)
    board = headset_board(db, desk.centre, desk.slots[:1], desk.now)
    assert [c.headset.asset_tag for c in board.for_booking(desk.ana).options] == [
        "HUB-VR-01", "HUB-VR-03", "HUB-VR-02"]  # full charge first, then by tag

    db.add(BookingJob(booking_id=desk.ana.id, job_id=job.id))
    db.commit()
    board = headset_board(db, desk.centre, desk.slots[:1], desk.now)
    assert [c.headset.asset_tag for c in board.for_booking(desk.ana).options] == [
        "HUB-VR-03", "HUB-VR-01", "HUB-VR-02"]  # the one that shows "Cook" first


def test_videos_watched_default_to_the_chosen_jobs_installed_on_the_headset(db, desk, kitchen):
    job, video = kitchen
    db.add(BookingJob(booking_id=desk.ana.id, job_id=job.id))
    db.commit()
    on_01 = give(db, desk, "HUB-VR-01")
    assert default_video_ids(db, on_01.use) == set()  # "kitchen" is not installed there
    take_back(db, desk, "HUB-VR-01", desk.now + timedelta(minutes=1))

    on_03 = give(db, desk, "HUB-VR-03", desk.now + timedelta(minutes=2))
    assert default_video_ids(db, on_03.use) == {video.id}
    assert [v.title for v in on_03.videos] == ["In a kitchen"]
    board = headset_board(db, desk.centre, desk.slots[:1], desk.now + timedelta(minutes=3))
    line = board.lines[2]
    assert line.default_video_ids == {video.id}
    assert [v.title for v in line.videos] == ["In a garage", "In a kitchen"]  # the form's list

    done = take_back(db, desk, "HUB-VR-03", desk.now + timedelta(minutes=9), video_ids=[video.id])
    assert [v.title for v in done.watched] == ["In a kitchen"]
    assert db.exec(select(WatchedVideo.video_id).where(
        WatchedVideo.use_id == on_03.use.id)).all() == [video.id]


def test_only_videos_installed_on_the_headset_can_be_recorded(db, desk, kitchen):
    _job, video = kitchen
    use = give(db, desk, "HUB-VR-01").use
    with pytest.raises(InvalidInput) as error:
        record_watched(db, use, [video.id])
    assert error.value.code == "video_not_installed"
