"""Demo data: what a first start shows, and loading it twice changes nothing."""

from datetime import date, time, timedelta

from sqlmodel import Session, SQLModel, col, func, select

from vr_booking.models import (
    Centre,
    Headset,
    HeadsetUse,
    InstalledVideo,
    Job,
    Loan,
    LoanHeadset,
    OpenAccessRule,
    Sector,
    SessionKind,
    Video,
    VideoJob,
    VRSession,
    utcnow,
)
from vr_booking.services.admin.accounts import create_staff
from vr_booking.services.demo import create_demo_staff, load_demo_data
from vr_booking.services.desk.checkin import check_in
from vr_booking.services.desk.day import desk_day
from vr_booking.services.desk.handout import hand_out
from vr_booking.services.open_access.booking import BookingInput, create_booking
from vr_booking.services.timeutil import to_local


def _counts(db: Session) -> dict[str, int]:
    return {name: db.exec(select(func.count()).select_from(table)).one()
            for name, table in SQLModel.metadata.tables.items()}


def test_demo_has_the_hub_its_centres_and_ten_headsets(demo: Session):
    hub = demo.exec(select(Centre).where(Centre.slug == "marseille")).one()
    associated = demo.exec(select(Centre).where(Centre.hub_id == hub.id)).all()
    assert {"gap", "istres", "martigues", "aubagne", "la-garde", "sisteron", "antibes"} <= {
        c.slug for c in associated}
    tags = sorted(demo.exec(select(Headset.asset_tag).where(Headset.home_centre_id == hub.id)))
    assert tags == [f"MRS-VR-{n:02d}" for n in range(1, 11)]


def test_demo_catalogue_has_valid_rome_codes_and_sectors(demo: Session):
    jobs = demo.exec(select(Job)).all()
    assert len(jobs) >= 20
    assert all(job.rome_code[0] in "ABCDEFGHIJKLMN" and job.rome_code[1:].isdigit()
               for job in jobs)
    assert demo.exec(select(func.count()).select_from(Sector)).one() >= 5
    assert demo.exec(select(func.count()).select_from(Video)).one() >= 5


def test_demo_open_access_is_wednesday_two_to_four_paris_time(demo: Session):
    rule = demo.exec(select(OpenAccessRule)).one()
    assert (rule.weekday, rule.start_time, rule.end_time) == (2, time(14), time(16))
    slots = demo.exec(select(VRSession).where(VRSession.kind == SessionKind.open_access)).all()
    assert slots
    local_starts = {to_local(s.starts_at, "Europe/Paris") for s in slots}
    assert all(t.weekday() == 2 and time(14) <= t.time() < time(16) for t in local_starts)
    assert min(t.time() for t in local_starts) == time(14)


def test_demo_has_planned_group_sessions(demo: Session):
    kinds = set(demo.exec(select(VRSession.kind).where(VRSession.kind != "open_access")))
    assert {"group_visit", "workshop"} <= kinds


def test_loading_demo_twice_changes_nothing(demo: Session):
    before = _counts(demo)
    load_demo_data(demo, date.today())
    demo.commit()
    assert _counts(demo) == before


def test_demo_staff_get_random_passwords_once(demo: Session):
    first = create_demo_staff(demo)
    demo.commit()
    assert first
    assert len({password for _, password in first}) == len(first)
    assert create_demo_staff(demo) == []


def test_demo_has_a_loan_to_gap_ready_to_hand_over(demo: Session):
    loan = demo.exec(select(Loan)).one()
    centres = {c.id: c.slug for c in demo.exec(select(Centre))}
    assert (centres[loan.from_centre_id], centres[loan.to_centre_id], loan.status) == (
        "marseille", "gap", "planned")
    tags = demo.exec(select(Headset.asset_tag).join(
        LoanHeadset, LoanHeadset.headset_id == Headset.id)).all()
    assert sorted(tags) == ["MRS-VR-09", "MRS-VR-10"]
def test_demo_fleet_is_ready_for_a_first_day(demo: Session):
    """Charged, clean, and holding a video of every job that has one (issue 9 item 2)."""
    headsets = demo.exec(select(Headset)).all()
    assert {h.charge_percent for h in headsets} == {100}
    assert all(h.charge_recorded_at is not None for h in headsets)
    assert demo.exec(select(func.count()).select_from(HeadsetUse)).one() == 0  # never worn
    shown = set(demo.exec(select(VideoJob.job_id)))
    held = set(demo.exec(select(VideoJob.job_id).join(
        InstalledVideo, col(InstalledVideo.video_id) == VideoJob.video_id)))
    assert shown
    assert held == shown


def test_on_first_start_a_checked_in_visitor_gets_a_headset(demo: Session):
    hub = demo.exec(select(Centre).where(Centre.slug == "marseille")).one()
    staff = create_staff(demo, email="fac@example.org", name="Sami", role="facilitator",
                         centre_slugs=["marseille"], password="a long enough password")
    now = utcnow().replace(microsecond=0)
    slot = VRSession(centre_id=hub.id, kind=SessionKind.open_access, starts_at=now,
                     ends_at=now + timedelta(minutes=20))
    demo.add(slot)
    demo.flush()
    ana = create_booking(demo, BookingInput(slot_id=slot.id, name="Ana", age_confirmed=True,
                                            health_ack=True), now - timedelta(hours=1)).booking
    check_in(demo, staff, now, code=ana.short_code)
    person = desk_day(demo, hub, now).headsets.for_booking(ana)
    assert person.options  # "no headset is ready" was the first day's answer
    done = hand_out(demo, staff, now, person.options[0].headset.asset_tag, code=ana.short_code,
                    centre_id=hub.id)
    assert done.holder.name == "Ana"
