"""Service-state changes: lock, change, re-check capacity; refuse what would strand
bookings or group sessions unless the manager confirms."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from vr_booking.db import lock_centres
from vr_booking.i18n import _
from vr_booking.models import (
    Allocation,
    Booking,
    Centre,
    Headset,
    HeadsetStateChange,
    Loan,
    LoanHeadset,
    ServiceState,
    StaffUser,
    VRSession,
)
from vr_booking.services.audit import record
from vr_booking.services.errors import InvalidInput
from vr_booking.services.fleet.location import loans_in_effect
from vr_booking.services.fleet.reservations import Reservation, reservations
from vr_booking.services.open_access import waitlist
from vr_booking.services.open_access.mail import notify_booking_change
from vr_booking.services.open_access.pool import settle_pool_change
from vr_booking.services.timeutil import to_local

# --- service state --------------------------------------------------------------------------

@dataclass
class StateChangeResult:
    change: HeadsetStateChange
    waitlisted: list[Booking]
    freed: list[tuple[Allocation, VRSession]]


def change_state(session: Session, headset: Headset, to_state: str, reason: str,
                 staff: StaffUser, now: datetime, *, confirmed: bool = False,
                 notify: waitlist.Notify = notify_booking_change) -> StateChangeResult:
    """Change a headset's service state: lock, change, verify.

    Leaving service lowers open-access capacity wherever the headset is or will be, and
    strands its future allocations. Unless the manager ``confirmed``, any slot then holding
    more confirmed bookings than seats (or any such allocation) refuses the change; with
    confirmation the newest bookings go back to the waiting list and the allocations are
    freed. The caller's transaction rolls back on refusal, so nothing changes.
    """
    reason = _check_state_change(headset, to_state, reason)
    centre_ids = centres_concerned(session, headset, now)
    lock_centres(session, centre_ids)
    change = HeadsetStateChange(headset_id=headset.id, from_state=headset.service_state,
                                to_state=to_state, reason=reason, staff_id=staff.id,
                                changed_at=now)
    leaves_service = headset.service_state == ServiceState.in_service
    headset.service_state = to_state
    session.add_all([headset, change])
    session.flush()
    record(session, staff, "headset.state_changed", centre_id=headset.home_centre_id,
           subject_type="headset", subject_id=headset.asset_tag,
           summary=f"{change.from_state} → {to_state}")
    result = StateChangeResult(change, [], [])
    if not leaves_service:
        if to_state == ServiceState.in_service:  # seats came back: the waiting list first
            waitlist.promote_waiting(session, now, centre_ids)
        return result
    allocations = _future_allocations(session, headset, now)
    result.waitlisted = settle_pool_change(session, centre_ids, now, confirmed=confirmed,
                                           stranded_sessions=allocations, notify=notify,
                                           actor=staff)
    for allocation, _s in allocations:
        session.delete(allocation)
    result.freed = allocations
    session.flush()
    return result


def _check_state_change(headset: Headset, to_state: str, reason: str) -> str:
    fields = {}
    if to_state not in set(ServiceState):
        fields["to_state"] = _("Choose a service state from the list.")
    elif to_state == headset.service_state:
        fields["to_state"] = _("The headset is already in this state.")
    reason = reason.strip()
    if not reason:
        fields["reason"] = _("Say why the state changes.")
    elif len(reason) > 500:
        fields["reason"] = _("The reason is limited to 500 characters.")
    if fields:
        raise InvalidInput("invalid_state_change", _("Please correct the marked fields."), fields)
    return reason


def centres_concerned(session: Session, headset: Headset, now: datetime) -> set[int]:
    """The home centre and every centre the headset is or will be lent to."""
    today = to_local(now, session.get(Centre, headset.home_centre_id).timezone).date()
    lent_to = session.exec(
        select(Loan.to_centre_id).join(LoanHeadset, col(LoanHeadset.loan_id) == Loan.id)
        .where(LoanHeadset.headset_id == headset.id, loans_in_effect(today, date.max))).all()
    return {headset.home_centre_id, *lent_to}


def _future_allocations(session: Session, headset: Headset, now: datetime) -> list[Reservation]:
    """Allocations still running or to come, in sessions that are not cancelled."""
    return reservations(session, now, headset_ids=[headset.id])
