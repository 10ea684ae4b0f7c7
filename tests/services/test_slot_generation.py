"""Slot generation from weekly rules: idempotent, and 14:00 stays 14:00 across DST."""

from datetime import date, time

from sqlmodel import Session, select

from factories import Transactions
from vr_booking.jobs import extend_slots
from vr_booking.models import (
    LONGEST_SESSION,
    OpenAccessRule,
    SessionKind,
    SessionStatus,
    VRSession,
)
from vr_booking.services.open_access.slots import (
    active_rules,
    extend_rule,
    generate_slots,
    seat_times,
)
from vr_booking.services.timeutil import local_to_utc, to_local

WEDNESDAY = date(2026, 12, 2)


def _rule(db: Session, make_centre, **fields) -> OpenAccessRule:
    centre = make_centre("hub", kind="hub")
    rule = OpenAccessRule(centre_id=centre.id, weekday=2, start_time=time(14),
                          end_time=time(16), **fields)
    db.add(rule)
    db.commit()
    return rule


def test_seats_are_laid_out_with_the_cleaning_buffer():
    rule = OpenAccessRule(centre_id=1, weekday=2, start_time=time(14), end_time=time(16),
                          seat_minutes=20, buffer_minutes=2)
    starts = [start for start, _ in seat_times(rule)]
    assert starts == [time(14), time(14, 22), time(14, 44), time(15, 6), time(15, 28)]


def test_generation_is_idempotent(db: Session, make_centre):
    rule = _rule(db, make_centre)
    created = generate_slots(db, rule, date(2026, 12, 1))
    db.commit()
    assert len(created) == 4 * 5
    assert generate_slots(db, rule, date(2026, 12, 1)) == []


def test_local_time_holds_across_both_dst_changes(db: Session, make_centre):
    rule = _rule(db, make_centre, horizon_weeks=5)
    # Last Wednesday of March 2027 is the 31st (DST began on the 28th);
    # last Wednesday of October 2027 is the 27th (DST ends on the 31st).
    generate_slots(db, rule, date(2027, 3, 20))
    generate_slots(db, rule, date(2027, 10, 20))
    db.commit()
    firsts = {}
    for slot in db.exec(select(VRSession)):
        local = to_local(slot.starts_at, "Europe/Paris")
        firsts.setdefault(local.date(), local)
        firsts[local.date()] = min(firsts[local.date()], local)
    for day in (date(2027, 3, 24), date(2027, 3, 31), date(2027, 10, 27), date(2027, 11, 3)):
        assert firsts[day].time() == time(14), day
    assert firsts[date(2027, 3, 24)].utcoffset() != firsts[date(2027, 3, 31)].utcoffset()
    assert firsts[date(2027, 10, 27)].utcoffset() != firsts[date(2027, 11, 3)].utcoffset()


def _midnight_rule(db: Session, make_centre) -> OpenAccessRule:
    """Three 20-minute seats from 00:00 local on Wednesdays, the day that generation starts."""
    centre = make_centre("hub", kind="hub")
    rule = OpenAccessRule(centre_id=centre.id, weekday=WEDNESDAY.weekday(),
                          start_time=time(0), end_time=time(1), seat_minutes=20,
                          buffer_minutes=0, horizon_weeks=1)
    db.add(rule)
    db.commit()
    return rule


def test_a_cancelled_seat_at_the_first_days_midnight_is_not_made_again(db: Session,
                                                                       make_centre):
    """Generation reads the rule's slots from the first day's local midnight on: a seat
    starting at that very instant, cancelled (so not among the planned slots), must be
    seen, or it would be made again."""
    rule = _midnight_rule(db, make_centre)
    midnight, *_others = generate_slots(db, rule, WEDNESDAY)
    assert to_local(midnight.starts_at, "Europe/Paris").time() == time(0)
    midnight.status = SessionStatus.cancelled
    db.add(midnight)
    db.commit()
    assert generate_slots(db, rule, WEDNESDAY) == []


def test_a_kept_slot_as_long_as_any_from_the_day_before_still_blocks_seats(db: Session,
                                                                           make_centre):
    """Slots that may overlap a seat are read from LONGEST_SESSION before the first day: one
    that long, ending at 00:30 on the first day, still blocks the seats it overlaps."""
    rule = _midnight_rule(db, make_centre)
    ends = local_to_utc(WEDNESDAY, time(0, 30), "Europe/Paris")
    db.add(VRSession(centre_id=rule.centre_id, kind=SessionKind.open_access,
                     starts_at=ends - LONGEST_SESSION, ends_at=ends))
    db.commit()
    created = generate_slots(db, rule, WEDNESDAY)
    assert [to_local(s.starts_at, "Europe/Paris").time() for s in created] == [time(0, 40)]


def test_the_hourly_run_extends_each_rule_in_a_transaction_of_its_own(db: Session, engine,
                                                                       settings, make_centre):
    """So that bookings go on between rules (one transaction of every rule held SQLite's write
    lock for half a second at 40 hubs); what to extend is listed in a read transaction."""
    for slug in ("nord", "sud"):
        centre = make_centre(slug, kind="hub")
        db.add(OpenAccessRule(centre_id=centre.id, weekday=2, start_time=time(14),
                              end_time=time(16), horizon_weeks=2))
    db.commit()
    with Transactions(engine) as watched:
        created = extend_slots(engine, settings)
    assert created == 2 * 2 * 5  # two rules, two Wednesdays, five seats each
    assert len([words for _reads, words in watched.recorded if "INSERT" in words]) == 2
    assert extend_slots(engine, settings) == 0  # idempotent


def test_a_rule_deactivated_after_being_listed_is_not_extended(db: Session, make_centre):
    rule = _rule(db, make_centre, horizon_weeks=2)
    (listed, centre), = active_rules(db)
    listed_id = listed.id
    rule.is_active = False  # a manager, between the sweep's listing and its extension
    db.add(rule)
    db.commit()
    assert listed_id == rule.id
    assert extend_rule(db, listed_id, centre, date.today()) == 0
    assert db.exec(select(VRSession).where(VRSession.rule_id == rule.id)).all() == []
