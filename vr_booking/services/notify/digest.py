"""The facilitators' evening digest: each evening at ``digest_time`` (centre's zone), the
facilitators of a centre get the next day's sessions there: open access with its bookings,
and each group session with its group and the headsets reserved for it.

No visitor's name is in it (the Today page has them). Claimed by a ``SentNotice`` per centre
and day; a digest due while the application was down leaves at the next run that evening.
Nothing is sent for a day without sessions.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from babel.dates import format_date, format_time
from sqlmodel import Session, col, func, select

from vr_booking.config import settings_for
from vr_booking.i18n import _, current_language
from vr_booking.labels import label
from vr_booking.models import (
    Allocation,
    BookingStatus,
    Centre,
    Headset,
    Participant,
    Role,
    SentNotice,
    SessionKind,
    SessionStatus,
    StaffUser,
    VRSession,
)
from vr_booking.services.mail import enqueue, language, render_mail
from vr_booking.services.notify.notices import claim_notice, staff_addresses
from vr_booking.services.open_access.capacity import booking_counts
from vr_booking.services.timeutil import day_bounds, local_date, local_to_utc, to_local

DIGEST = "digest"


@dataclass
class GroupLine:
    session: VRSession
    when: str
    facilitator: str
    participants: int
    headsets: list[str]


@dataclass
class DayPlan:
    centre: Centre
    day: date
    open_access: list[str] = field(default_factory=list)  # one line a slot, pre-formatted
    groups: list[GroupLine] = field(default_factory=list)
    facilitator_ids: set[int] = field(default_factory=set)

    @property
    def is_empty(self) -> bool:
        return not self.open_access and not self.groups


def _when(centre: Centre, vr_session: VRSession) -> str:
    start, end = (format_time(to_local(instant, centre.timezone), "short",
                              locale=current_language.get())
                  for instant in (vr_session.starts_at, vr_session.ends_at))
    return f"{start}–{end}"


def day_plan(session: Session, centre: Centre, day: date) -> DayPlan:
    """The centre's sessions of a local day, as the digest tells them."""
    start, end = day_bounds(day, centre.timezone)
    sessions = session.exec(select(VRSession).where(
        VRSession.centre_id == centre.id, VRSession.status == SessionStatus.planned,
        VRSession.starts_at >= start, VRSession.starts_at < end,
    ).order_by(VRSession.starts_at, VRSession.id)).all()
    plan = DayPlan(centre, day)
    slots = [s for s in sessions if s.kind == SessionKind.open_access]
    counts = booking_counts(session, [s.id for s in slots])
    for slot in slots:
        taken = counts.get(slot.id, {})
        plan.open_access.append(_slot_line(centre, slot, taken))
    groups = [s for s in sessions if s.kind != SessionKind.open_access]
    plan.groups = [_group_line(session, centre, g) for g in groups]
    plan.facilitator_ids = {g.facilitator_id for g in groups if g.facilitator_id}
    return plan


def _slot_line(centre: Centre, slot: VRSession, taken: dict[str, int]) -> str:
    booked = sum(taken.get(s, 0) for s in (BookingStatus.confirmed, BookingStatus.offered))
    return _("{when}: {booked} booked, {waiting} waiting").format(
        when=_when(centre, slot), booked=booked,
        waiting=taken.get(BookingStatus.waitlisted, 0))


def _group_line(session: Session, centre: Centre, group: VRSession) -> GroupLine:
    tags = session.exec(select(Headset.asset_tag).join(
        Allocation, col(Allocation.headset_id) == Headset.id)
        .where(Allocation.session_id == group.id).order_by(Headset.asset_tag)).all()
    people = session.exec(select(func.count()).select_from(Participant).where(
        Participant.session_id == group.id, col(Participant.is_walk_in).is_(False))).one()
    facilitator = session.get(StaffUser, group.facilitator_id) if group.facilitator_id else None
    return GroupLine(group, _when(centre, group), facilitator.name if facilitator else "",
                     people, list(tags))


def _recipients(session: Session, plan: DayPlan) -> list[str]:
    assigned = session.exec(select(StaffUser.email).where(
        col(StaffUser.id).in_(plan.facilitator_ids), col(StaffUser.is_active))).all()
    return list(dict.fromkeys([*staff_addresses(session, plan.centre.id, (Role.facilitator,)),
                               *assigned]))


def _send(session: Session, plan: DayPlan) -> int:
    settings = settings_for(session)
    subject, body = render_mail(
        "facilitator_digest", current_language.get(), plan=plan, label=label,
        day=format_date(plan.day, "full", locale=current_language.get()),
        today_url=f"{settings.base_url}/staff/centres/{plan.centre.slug}/today")
    recipients = _recipients(session, plan)
    for address in recipients:
        enqueue(session, address, subject, body)
    return len(recipients)


def send_digests(session: Session, now: datetime) -> int:
    """Queue tomorrow's digest for each centre whose digest time has passed today; returns
    how many e-mails were queued."""
    settings = settings_for(session)
    sent = set(session.exec(select(SentNotice.subject_id, SentNotice.key).where(
        SentNotice.kind == DIGEST, SentNotice.sent_at >= now - timedelta(days=2))).all())
    queued = 0
    for centre in session.exec(select(Centre).where(col(Centre.is_active))
                               .order_by(Centre.id)).all():
        today = local_date(now, centre.timezone)
        tomorrow = (today + timedelta(days=1)).isoformat()
        if (now < local_to_utc(today, settings.digest_time, centre.timezone)
                or (centre.id, tomorrow) in sent
                or not claim_notice(session, DIGEST, centre.id, tomorrow, now)):
            continue
        with language(settings.default_language):  # staff read the installation's language
            plan = day_plan(session, centre, today + timedelta(days=1))
            if not plan.is_empty:
                queued += _send(session, plan)
    session.flush()
    return queued
