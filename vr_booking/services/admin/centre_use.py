"""What keeps a centre from being deactivated, and winding down its open access.

A centre holds *commitments* while it has bookings still to come, group sessions not over,
loans not returned (lent or borrowed), or, for a hub, active associated centres. Each is one
line for people, listed when deactivation is refused.
"""

from datetime import datetime

from babel.dates import format_date, format_datetime
from sqlmodel import Session, col, func, or_, select

from vr_booking.i18n import _, current_language, ngettext
from vr_booking.labels import label
from vr_booking.models import (
    ACTIVE,
    Booking,
    Centre,
    Loan,
    LoanStatus,
    OpenAccessRule,
    SessionKind,
    SessionStatus,
    VRSession,
)
from vr_booking.services.timeutil import to_local

OPEN_LOANS = (LoanStatus.planned, LoanStatus.in_transit, LoanStatus.active, LoanStatus.overdue)
SHOWN = 20  # lines of each kind; the rest is counted


def _when(instant: datetime, centre: Centre) -> str:
    return format_datetime(to_local(instant, centre.timezone), "short",
                           locale=current_language.get())


def _booked_slots(session: Session, centre: Centre, now: datetime) -> list[str]:
    rows = session.exec(
        select(VRSession, func.count()).join(Booking, col(Booking.session_id) == VRSession.id)
        .where(VRSession.centre_id == centre.id, VRSession.ends_at > now,
               col(Booking.status).in_(ACTIVE))
        .group_by(col(VRSession.id)).order_by(VRSession.starts_at)).all()
    return [ngettext("Open access on {when}: {n} booking to come",
                     "Open access on {when}: {n} bookings to come", n).format(
        when=_when(slot.starts_at, centre), n=n) for slot, n in rows]


def _group_sessions(session: Session, centre: Centre, now: datetime) -> list[str]:
    rows = session.exec(select(VRSession).where(
        VRSession.centre_id == centre.id, VRSession.kind != SessionKind.open_access,
        VRSession.status != SessionStatus.cancelled, VRSession.ends_at > now,
    ).order_by(VRSession.starts_at)).all()
    return [_("{session} on {when}").format(session=s.title or label(s.kind),
                                            when=_when(s.starts_at, centre)) for s in rows]


def _loans(session: Session, centre: Centre) -> list[str]:
    loans = session.exec(select(Loan).where(
        or_(Loan.from_centre_id == centre.id, Loan.to_centre_id == centre.id),
        col(Loan.status).in_(OPEN_LOANS)).order_by(Loan.start_date)).all()
    names = dict(session.exec(select(Centre.id, Centre.name)).all())
    locale = current_language.get()
    return [_("Loan from {lender} to {borrower}, {start} to {end}").format(
        lender=names[loan.from_centre_id], borrower=names[loan.to_centre_id],
        start=format_date(loan.start_date, "medium", locale=locale),
        end=format_date(loan.end_date, "medium", locale=locale)) for loan in loans]


def _led_centres(session: Session, centre: Centre) -> list[str]:
    led = session.exec(select(Centre.name).where(Centre.hub_id == centre.id,
                                                 col(Centre.is_active))).all()
    return [_("{name}: an associated centre still active").format(name=n) for n in led]


def _shortened(lines: list[str]) -> list[str]:
    if len(lines) <= SHOWN:
        return lines
    return [*lines[:SHOWN], _("… and {n} more").format(n=len(lines) - SHOWN)]


def centre_commitments(session: Session, centre: Centre, now: datetime) -> list[str]:
    """What the centre still holds, one line each (empty: it may be deactivated)."""
    return [line for lines in (_booked_slots(session, centre, now),
                               _group_sessions(session, centre, now), _loans(session, centre),
                               _led_centres(session, centre))
            for line in _shortened(lines)]


def retire_open_access(session: Session, centre: Centre, now: datetime) -> int:
    """Switch the centre's weekly rules off and cancel its future slots (none holds a booking
    still to come: :func:`centre_commitments` checked); returns how many were cancelled."""
    for rule in session.exec(select(OpenAccessRule).where(OpenAccessRule.centre_id == centre.id)):
        rule.is_active = False
        session.add(rule)
    slots = session.exec(select(VRSession).where(
        VRSession.centre_id == centre.id, VRSession.kind == SessionKind.open_access,
        VRSession.status == SessionStatus.planned, VRSession.starts_at > now)).all()
    for slot in slots:
        slot.status = SessionStatus.cancelled
        session.add(slot)
    session.flush()
    return len(slots)
