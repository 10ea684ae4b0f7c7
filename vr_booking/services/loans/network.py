"""The network a hub leads, at a glance, and where headsets are at a given instant.

For each centre of the network: the headsets there today and in a week (``fleet.location``),
and how much open access uses them over the coming week (seats booked of seats offered) with
the group sessions planned. Then the loans coming due within a week, late ones flagged (even
before the overdue sweep has marked them), and the loans about to leave.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, func, or_, select

from vr_booking.i18n import _
from vr_booking.models import (
    Centre,
    CentreKind,
    Headset,
    Loan,
    LoanHeadset,
    LoanStatus,
    SessionKind,
    SessionStatus,
    StaffUser,
    VRSession,
)
from vr_booking.services.access import require_centre, visible_centre_ids
from vr_booking.services.errors import InvalidInput
from vr_booking.services.fleet.location import EFFECTIVE_LOAN_STATES, centre_ids_at
from vr_booking.services.loans.clashes import OUT_STATES
from vr_booking.services.loans.queries import LoanView, views
from vr_booking.services.open_access.capacity import slot_loads, upcoming_slots
from vr_booking.services.timeutil import local_date

HORIZON = timedelta(days=7)


@dataclass
class CentreUse:
    centre: Centre
    here_today: list[Headset]
    here_next_week: list[Headset]
    seats_booked: int  # confirmed or checked in, over the coming week's open-access slots
    seats_offered: int
    group_sessions: int  # planned over the coming week

    @property
    def use_percent(self) -> int | None:
        """Share of the week's open-access seats booked (None when none is offered)."""
        return round(100 * self.seats_booked / self.seats_offered) if self.seats_offered \
            else None


@dataclass
class NetworkView:
    hub: Centre
    today: date
    centres: list[CentreUse]
    due: list[LoanView]  # out and ending within the week, or late
    leaving: list[LoanView]  # planned, first day within the week (or passed)


def require_hub(session: Session, staff: StaffUser, slug: str) -> Centre:
    """A hub this staff member sees; its network is its own and its associated centres'."""
    centre = require_centre(session, staff, slug)
    if centre.kind != CentreKind.hub:
        message = _("{centre} is not a hub: the network view belongs to its hub.").format(
            centre=centre.name)
        raise InvalidInput("not_a_hub", message, {"centre": message})
    return centre


def network_centres(session: Session, hub: Centre) -> list[Centre]:
    """The hub, then the associated centres it leads by name."""
    led = session.exec(select(Centre).where(Centre.hub_id == hub.id).order_by(Centre.name))
    return [hub, *led]


def network_view(session: Session, hub: Centre, now: datetime) -> NetworkView:
    """Where the hub's network's headsets are, how much they are used, loans coming due."""
    centres = network_centres(session, hub)
    ids = [c.id for c in centres]
    headsets = list(session.exec(select(Headset).where(col(Headset.home_centre_id).in_(ids))
                                 .order_by(Headset.asset_tag)))
    today_at, next_at = centre_ids_at(session, headsets, now), centre_ids_at(
        session, headsets, now + HORIZON)
    loads = slot_loads(session, upcoming_slots(session, ids, now, now + HORIZON))
    groups = dict(session.exec(
        select(VRSession.centre_id, func.count()).where(
            col(VRSession.centre_id).in_(ids), VRSession.kind != SessionKind.open_access,
            VRSession.status == SessionStatus.planned, VRSession.ends_at > now,
            VRSession.starts_at < now + HORIZON).group_by(VRSession.centre_id)).all())
    uses = [CentreUse(
        centre, [h for h in headsets if today_at[h.id] == centre.id],
        [h for h in headsets if next_at[h.id] == centre.id],
        sum(load.confirmed for load in loads if load.slot.centre_id == centre.id),
        sum(load.capacity for load in loads if load.slot.centre_id == centre.id),
        groups.get(centre.id, 0)) for centre in centres]
    today = local_date(now, hub.timezone)
    loans = views(session, list(session.exec(
        select(Loan).where(Loan.from_centre_id == hub.id,
                           col(Loan.status).in_(EFFECTIVE_LOAN_STATES),
                           Loan.start_date <= today + HORIZON)
        .order_by(Loan.end_date, Loan.id))), now)
    return NetworkView(
        hub, today, uses,
        due=[v for v in loans if v.loan.status in OUT_STATES
             and v.loan.end_date <= today + HORIZON],
        leaving=sorted((v for v in loans if v.loan.status == LoanStatus.planned),
                       key=lambda v: v.loan.start_date),
    )


def where_headsets_are(session: Session, staff: StaffUser,
                       at: datetime) -> list[tuple[Headset, Centre]]:
    """The headsets this staff member sees (based at, or lent to, their centres at ``at``),
    each with the centre it is at then, by asset tag."""
    ids = visible_centre_ids(session, staff)
    lent_in = select(LoanHeadset.headset_id).join(
        Loan, col(Loan.id) == LoanHeadset.loan_id).where(
        col(Loan.to_centre_id).in_(ids), col(Loan.status).in_(EFFECTIVE_LOAN_STATES))
    headsets = list(session.exec(select(Headset).where(or_(
        col(Headset.home_centre_id).in_(ids), col(Headset.id).in_(lent_in)))
        .order_by(Headset.asset_tag)))
    located = centre_ids_at(session, headsets, at)
    centres = {c.id: c for c in session.exec(select(Centre).where(
        col(Centre.id).in_(set(located.values()))))}
    return [(h, centres[located[h.id]]) for h in headsets
            if h.home_centre_id in ids or located[h.id] in ids]
