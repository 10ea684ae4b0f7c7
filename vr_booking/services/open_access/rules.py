"""Managers' side of open access: weekly rules, regenerating slots, closures.

Editing a rule regenerates its future slots, except those that already hold bookings: they
are kept as they are and listed, so the manager can deal with them. A closure cancels the
day's slots and tells the booked visitors.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, Field
from sqlmodel import Session, col, delete, func, select

from vr_booking.db import lock_centres
from vr_booking.i18n import _
from vr_booking.models import (
    HOLDING,
    Booking,
    BookingStatus,
    Centre,
    Closure,
    OpenAccessRule,
    SessionKind,
    SessionStatus,
    StaffUser,
    VRSession,
)
from vr_booking.services.audit import record
from vr_booking.services.errors import Conflict, InvalidInput, NotFound
from vr_booking.services.open_access.mail import notify_booking_change
from vr_booking.services.open_access.slots import SkippedSeat, generate_slots, skipped_seats
from vr_booking.services.timeutil import day_bounds, to_local


class RuleInput(BaseModel):
    weekday: int = Field(ge=0, le=6)
    start_time: time
    end_time: time
    seat_minutes: int = Field(ge=5, le=240)
    buffer_minutes: int = Field(ge=0, le=60)
    horizon_weeks: int = Field(ge=1, le=26)
    walk_in_reserve: int = Field(ge=0, le=100)
    is_active: bool = True


@dataclass
class RuleChange:
    rule: OpenAccessRule
    created: list[VRSession] = field(default_factory=list)
    kept: list[VRSession] = field(default_factory=list)
    skipped: list[SkippedSeat] = field(default_factory=list)  # broken by a clock change


def check_rule(session: Session, centre: Centre, data: RuleInput,
               rule_id: int | None) -> dict[str, str]:
    """Field → message for a rule that cannot work."""
    if data.start_time >= data.end_time:
        return {"end_time": _("The end must be after the start.")}
    window = (datetime.combine(date.min, data.end_time)
              - datetime.combine(date.min, data.start_time))
    if timedelta(minutes=data.seat_minutes) > window:
        return {"seat_minutes": _("A seat must fit in the opening hours.")}
    others = session.exec(select(OpenAccessRule).where(
        OpenAccessRule.centre_id == centre.id, OpenAccessRule.weekday == data.weekday,
        col(OpenAccessRule.is_active), OpenAccessRule.id != (rule_id or -1))).all()
    if data.is_active and any(o.start_time < data.end_time and data.start_time < o.end_time
                              for o in others):
        return {"start_time": _("Another rule already covers these hours on that day.")}
    return {}


def save_rule(session: Session, centre: Centre, rule_id: int | None, data: RuleInput,
              now: datetime, actor: StaffUser | None = None) -> RuleChange:
    """Create or edit a rule, then regenerate its future slots."""
    problems = check_rule(session, centre, data, rule_id)
    if problems:
        raise InvalidInput("invalid_rule", " ".join(problems.values()), problems)
    lock_centres(session, [centre.id])
    rule = OpenAccessRule(centre_id=centre.id) if rule_id is None else _rule(session, centre,
                                                                             rule_id)
    for key, value in data.model_dump().items():
        setattr(rule, key, value)
    session.add(rule)
    session.flush()
    kept = _retire_future_slots(session, rule, now)
    today = to_local(now, centre.timezone).date()
    created = generate_slots(session, rule, today)
    record(session, actor, "open_access.rule_saved", centre_id=centre.id,
           subject_type="open_access_rule", subject_id=rule.id, summary=_rule_summary(rule))
    return RuleChange(rule, created, kept, skipped_seats(rule, today, centre.timezone))


def _rule_summary(rule: OpenAccessRule) -> str:
    return (f"weekday {rule.weekday} {rule.start_time:%H:%M}-{rule.end_time:%H:%M}, "
            f"seats {rule.seat_minutes} min, buffer {rule.buffer_minutes} min, "
            f"{rule.horizon_weeks} weeks, walk-in reserve {rule.walk_in_reserve}, "
            + ("active" if rule.is_active else "inactive"))


def _rule(session: Session, centre: Centre, rule_id: int) -> OpenAccessRule:
    rule = session.get(OpenAccessRule, rule_id)
    if rule is None or rule.centre_id != centre.id:
        raise NotFound("unknown_rule", _("This rule does not exist."))
    return rule


def _holding_counts(session: Session, slot_ids: list[int]) -> dict[int, int]:
    return dict(session.exec(
        select(Booking.session_id, func.count()).where(
            col(Booking.session_id).in_(slot_ids), col(Booking.status).in_(HOLDING))
        .group_by(Booking.session_id)).all())


def _retire_future_slots(session: Session, rule: OpenAccessRule,
                         now: datetime) -> list[VRSession]:
    """Remove the rule's future slots that hold no booking; return those that do."""
    future = list(session.exec(select(VRSession).where(
        VRSession.rule_id == rule.id, VRSession.starts_at > now,
        VRSession.status == SessionStatus.planned)))
    holding = _holding_counts(session, [s.id for s in future])
    kept = [s for s in future if holding.get(s.id)]
    free = [s.id for s in future if not holding.get(s.id)]
    with_history = set(session.exec(select(Booking.session_id).where(
        col(Booking.session_id).in_(free))))
    for slot in future:
        if slot.id in with_history:  # only cancelled bookings: keep the row, detached
            slot.status, slot.rule_id = SessionStatus.cancelled, None
            session.add(slot)
    session.exec(delete(VRSession).where(col(VRSession.id).in_(set(free) - with_history)))
    session.flush()
    return kept


def day_slots(session: Session, centre: Centre, day: date) -> list[VRSession]:
    start, end = day_bounds(day, centre.timezone)
    return list(session.exec(select(VRSession).where(
        VRSession.centre_id == centre.id, VRSession.kind == SessionKind.open_access,
        VRSession.starts_at >= start, VRSession.starts_at < end)))


def add_closure(session: Session, centre: Centre, day: date, reason: str,
                staff: StaffUser | None, now: datetime) -> list[Booking]:
    """Close a day: cancel its open-access slots and tell the people booked."""
    if day < to_local(now, centre.timezone).date():
        raise InvalidInput("past_closure", _("This day is already over."),
                           {"closed_date": _("This day is already over.")})
    lock_centres(session, [centre.id])
    if session.exec(select(Closure).where(Closure.centre_id == centre.id,
                                          Closure.closed_date == day)).first():
        raise Conflict("already_closed", _("This day is already closed."))
    session.add(Closure(centre_id=centre.id, closed_date=day, reason=reason.strip()[:200],
                        created_by_id=staff.id if staff else None))
    told = []
    for slot in day_slots(session, centre, day):
        slot.status = SessionStatus.cancelled
        session.add(slot)
        for booking in session.exec(select(Booking).where(
                Booking.session_id == slot.id, col(Booking.status).in_(HOLDING))):
            booking.status, booking.cancelled_at = BookingStatus.cancelled, now
            session.add(booking)
            notify_booking_change(session, booking, "slot_cancelled")
            told.append(booking)
    session.flush()
    record(session, staff, "open_access.closed", centre_id=centre.id, subject_type="closure",
           subject_id=day.isoformat(), summary=f"{day.isoformat()} closed, {len(told)} "
           "booking(s) cancelled")
    return told


def remove_closure(session: Session, centre: Centre, closure_id: int, now: datetime,
                   actor: StaffUser | None = None) -> int:
    """Reopen a closed day: its slots are generated again; returns how many."""
    lock_centres(session, [centre.id])
    closure = session.get(Closure, closure_id)
    if closure is None or closure.centre_id != centre.id:
        raise NotFound("unknown_closure", _("This closure does not exist."))
    for slot in day_slots(session, centre, closure.closed_date):
        if slot.status == SessionStatus.cancelled:  # free the (rule, start) for a new slot
            slot.rule_id = None
            session.add(slot)
    session.delete(closure)
    session.flush()
    record(session, actor, "open_access.reopened", centre_id=centre.id,
           subject_type="closure", subject_id=closure.closed_date.isoformat(),
           summary=f"{closure.closed_date.isoformat()} reopened")
    rules = session.exec(select(OpenAccessRule).where(OpenAccessRule.centre_id == centre.id))
    today = to_local(now, centre.timezone).date()
    return sum(len(generate_slots(session, r, today)) for r in rules)


def upcoming_closures(session: Session, centre: Centre, today: date) -> list[Closure]:
    return list(session.exec(select(Closure).where(
        Closure.centre_id == centre.id, Closure.closed_date >= today)
        .order_by(Closure.closed_date)))
