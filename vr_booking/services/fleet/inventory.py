"""The headset inventory: each headset with the facts derived for lists and the API.

Where a headset is comes from :mod:`.location` (loans), whether it needs cleaning from its
uses and cleanings, its charge from :mod:`.charge`: nothing here stores a derived fact.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import false
from sqlmodel import Session, col, func, or_, select

from vr_booking.i18n import _
from vr_booking.models import (
    Allocation,
    Centre,
    Cleaning,
    Headset,
    HeadsetUse,
    InstalledVideo,
    Role,
    ServiceState,
    StaffUser,
    VRSession,
)
from vr_booking.services.access import require_centre, visible_centre_ids
from vr_booking.services.errors import InvalidInput
from vr_booking.services.fleet.charge import Battery, ChargeEstimate, estimate_charge
from vr_booking.services.fleet.location import (
    centre_ids_at,
    headsets_at_many,
    local_dates,
)
from vr_booking.services.fleet.reservations import reservations

# --- inventory ------------------------------------------------------------------------------

@dataclass
class HeadsetRow:
    """A headset with the facts derived for the inventory and the API."""

    headset: Headset
    home_centre: Centre
    current_centre: Centre
    in_use: bool
    last_cleaned_at: datetime | None
    to_clean: bool
    charge: ChargeEstimate
    installed_count: int
    next_allocation: Allocation | None = None
    next_session: VRSession | None = None

    @property
    def next_use_minutes(self) -> int | None:
        if self.next_allocation is None:
            return None
        allocation = self.next_allocation
        return round((allocation.ends_at - allocation.starts_at).total_seconds() / 60)

    @property
    def next_use_fits(self) -> bool:
        """Whether the estimated charge covers the next allocation (and its margin)."""
        return self.next_allocation is None or self.charge.fits(self.next_use_minutes)

    @property
    def next_use_outlasts_battery(self) -> bool:
        """Whether the next use is longer than even a full charge covers (with its margin):
        then charging it before is not the answer; a recharge during it or a spare is."""
        minutes = self.next_use_minutes
        battery = self.charge.battery
        return minutes is not None and minutes + battery.margin_minutes > battery.full_minutes


@dataclass
class InventoryPage:
    """One page of the inventory and how many headsets match in all."""

    rows: list[HeadsetRow]
    total: int


def list_headsets(session: Session, staff: StaffUser, now: datetime, battery: Battery, *,
                  centre_slug: str | None = None, model: str | None = None,
                  state: str | None = None, limit: int | None = None,
                  offset: int = 0) -> InventoryPage:
    """Visible headsets, optionally only those now at a centre, of a model, in a state.

    Where each headset is comes for all of them in a few statements; the other facts are
    derived for the page ``[offset, offset + limit)`` only (None: every headset).
    """
    if state and state not in set(ServiceState):
        message = _("Unknown service state.")
        raise InvalidInput("bad_state", message, {"state": message})
    if centre_slug:
        centre = require_centre(session, staff, centre_slug)
        stay = (centre.id, *local_dates(centre, now, now))
        located = {h.id: (h, centre.id) for h in headsets_at_many(session, [stay], _BRIEF)[stay]}
    elif staff.role == Role.admin:
        return _network_page(session, now, battery, model=model, state=state, limit=limit,
                             offset=offset)
    else:
        located = _visible_headsets(session, visible_centre_ids(session, staff), now)
    pairs = [(h, at) for h, at in located.values()
             if (not model or h.model == model) and (not state or h.service_state == state)]
    pairs.sort(key=lambda pair: pair[0].asset_tag)
    page = pairs[offset:None if limit is None else offset + limit]
    full = {h.id: h for h in session.exec(select(Headset).where(
        col(Headset.id).in_([h.id for h, _at in page])))}
    return InventoryPage(summarise(session, [(full[h.id], at) for h, at in page], now, battery),
                         len(pairs))


_BRIEF = select(Headset.id, Headset.home_centre_id, Headset.asset_tag, Headset.model,
                Headset.service_state)
"""What the inventory reads of every visible headset: enough to place, filter and sort them
(whole rows are read for the page shown only)."""


def _network_page(session: Session, now: datetime, battery: Battery, *, model: str | None,
                  state: str | None, limit: int | None, offset: int) -> InventoryPage:
    """An administrator's inventory: every headset of the network is visible, so the filters,
    the count and the page are asked of the database and only the page's headsets are placed
    (placing the whole network's to show fifty was most of the page's time at 40 hubs)."""
    query = select(Headset)
    if model:
        query = query.where(Headset.model == model)
    if state:
        query = query.where(Headset.service_state == state)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    page = list(session.exec(query.order_by(Headset.asset_tag).offset(offset).limit(limit)))
    where = centre_ids_at(session, page, now)
    return InventoryPage(summarise(session, [(h, where[h.id]) for h in page], now, battery),
                         total)


def _visible_headsets(session: Session, centre_ids: set[int],
                      now: datetime) -> dict[int, tuple[Any, int]]:
    """Headset id → (headset's brief row, centre it is at now), for headsets based at or now
    at these."""
    centres = session.exec(select(Centre).where(col(Centre.id).in_(centre_ids))).all()
    stays = {c.id: (c.id, *local_dates(c, now, now)) for c in centres}
    here = headsets_at_many(session, stays.values(), _BRIEF)
    located = {h.id: (h, centre_id) for centre_id, stay in stays.items() for h in here[stay]}
    # Based here but placed elsewhere: filtered here, not by a NOT IN of every headset placed
    # (thousands of parameters for a network, most of the page's time on PostgreSQL).
    lent_away = [h for h in session.exec(_BRIEF.where(col(Headset.home_centre_id).in_(centre_ids)))
                 if h.id not in located]
    where = centre_ids_at(session, lent_away, now)
    located.update((h.id, (h, where[h.id])) for h in lent_away)
    return located


def labelled_headsets(session: Session, centre: Centre) -> list[Headset]:
    """The headsets based at a centre that get a QR label (all but the retired ones)."""
    return list(session.exec(select(Headset).where(
        Headset.home_centre_id == centre.id, Headset.service_state != ServiceState.retired,
    ).order_by(Headset.asset_tag)))


def headset_models(session: Session, staff: StaffUser) -> list[str]:
    """The models of the headsets based at this staff member's centres (for the filter)."""
    query = select(Headset.model).distinct().order_by(Headset.model)
    if staff.role != Role.admin:  # an administrator's: every model, without a list of centres
        query = query.where(col(Headset.home_centre_id).in_(visible_centre_ids(session, staff)))
    return list(session.exec(query))


def summarise(session: Session, pairs: list[tuple[Headset, int]], now: datetime,
              battery: Battery) -> list[HeadsetRow]:
    """Derive the inventory facts for (headset, current centre id) pairs in a few queries."""
    ids = [h.id for h, _at in pairs]
    centre_ids = {h.home_centre_id for h, _at in pairs} | {at for _h, at in pairs}
    centres = {c.id: c for c in session.exec(select(Centre).where(col(Centre.id).in_(centre_ids)))}
    cleaned = _latest(session, Cleaning.headset_id, Cleaning.cleaned_at, ids)
    returned = _latest(session, HeadsetUse.headset_id, HeadsetUse.returned_at, ids)
    uses = _uses_since_records(session, [h for h, _at in pairs])
    installed = dict(session.exec(
        select(InstalledVideo.headset_id, func.count()).where(
            col(InstalledVideo.headset_id).in_(ids)).group_by(InstalledVideo.headset_id)).all())
    upcoming = _next_allocations(session, ids, now)
    rows = []
    for headset, at in pairs:
        own_uses = uses.get(headset.id, [])
        in_use = any(returned_at is None for _start, returned_at in own_uses)
        last_return, last_clean = returned.get(headset.id), cleaned.get(headset.id)
        rows.append(HeadsetRow(
            headset=headset, home_centre=centres[headset.home_centre_id],
            current_centre=centres[at], in_use=in_use, last_cleaned_at=last_clean,
            to_clean=needs_cleaning(in_use, last_return, last_clean),
            charge=estimate_charge(headset.charge_percent, headset.charge_recorded_at,
                                   own_uses, now, battery),
            installed_count=installed.get(headset.id, 0),
            **upcoming.get(headset.id, {}),
        ))
    return rows


def needs_cleaning(in_use: bool, last_return: datetime | None,
                   last_clean: datetime | None) -> bool:
    """Returned by a user and not cleaned since (rule 5); a headset being worn is not."""
    if in_use or last_return is None:
        return False
    return last_clean is None or last_clean < last_return


def _latest(session: Session, key: object, instant: object, ids: list[int]) -> dict:
    return dict(session.exec(
        select(key, func.max(instant)).where(col(key).in_(ids)).group_by(key)).all())


def _uses_since_records(session: Session, headsets: list[Headset]) -> dict[int, list]:
    """Per headset, (started_at, returned_at) of uses still running or ended after the
    earliest charge record (enough for the charge estimate and to see who wears one)."""
    records = [h.charge_recorded_at for h in headsets if h.charge_recorded_at]
    query = select(HeadsetUse.headset_id, HeadsetUse.started_at, HeadsetUse.returned_at).where(
        col(HeadsetUse.headset_id).in_([h.id for h in headsets]))
    ended_since = HeadsetUse.returned_at > min(records) if records else false()
    uses: dict[int, list] = {}
    for headset_id, started_at, returned_at in session.exec(
            query.where(or_(col(HeadsetUse.returned_at).is_(None), ended_since))):
        uses.setdefault(headset_id, []).append((started_at, returned_at))
    return uses


def _next_allocations(session: Session, ids: list[int], now: datetime) -> dict[int, dict]:
    """Per headset, its allocation running now or coming next."""
    nearest: dict[int, dict] = {}
    for allocation, vr_session in reservations(session, now, headset_ids=ids):
        nearest.setdefault(allocation.headset_id, {"next_allocation": allocation,
                                                    "next_session": vr_session})
    return nearest
