"""Where and when a visitor can watch a video: the next open-access sessions at centres
where a headset holds it (a job or video page leads to a booking, not a dead end).

"Holds" means installed on a headset that is at the centre for the whole slot (home centre
and loans), in service and fit for open access (no foam face cover).
"""

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from vr_booking.models import FaceCover, Headset, InstalledVideo, Loan, LoanHeadset
from vr_booking.services.fleet.location import EFFECTIVE_LOAN_STATES, headsets_at_many, local_dates
from vr_booking.services.open_access.slots import CentreDay, upcoming_open_access

SLOTS_SCANNED = 60  # upcoming slots looked at (a few weeks at a handful of centres)


def _holders(session: Session, video_ids: Iterable[int]) -> list[Headset]:
    return list(session.exec(
        select(Headset).join(InstalledVideo, col(InstalledVideo.headset_id) == Headset.id)
        .where(col(InstalledVideo.video_id).in_(list(video_ids)),
               Headset.face_cover != FaceCover.foam).distinct()))


def _centres_reached(session: Session, holders: list[Headset]) -> set[int]:
    """Centres where these headsets are based or lent (the only places worth scanning)."""
    lent_to = session.exec(select(Loan.to_centre_id).join(
        LoanHeadset, col(LoanHeadset.loan_id) == Loan.id).where(
        col(LoanHeadset.headset_id).in_([h.id for h in holders]),
        col(Loan.status).in_(EFFECTIVE_LOAN_STATES)))
    return {h.home_centre_id for h in holders} | set(lent_to)


def sessions_showing(session: Session, video_ids: Iterable[int], now: datetime,
                     limit: int = 6) -> list[CentreDay]:
    """The next ``limit`` open-access slots where a headset at the centre holds one of these
    videos, grouped by centre and day like the home page."""
    holders = _holders(session, video_ids)
    if not holders:
        return []
    holder_ids = {h.id for h in holders if h.service_state == "in_service"}
    days = upcoming_open_access(session, now, SLOTS_SCANNED,
                                sorted(_centres_reached(session, holders)))
    centres = {day.centre.id: day.centre for day in days}
    keys = {load.slot.id: (load.slot.centre_id, *local_dates(
        centres[load.slot.centre_id], load.slot.starts_at, load.slot.ends_at))
        for day in days for load in day.slots}
    here = {key: {h.id for h in headsets} for key, headsets in headsets_at_many(
        session, keys.values()).items()}
    found, shown = [], 0
    for day in days:
        kept = []
        for load in day.slots:
            key = keys[load.slot.id]
            if here[key] & holder_ids and shown < limit:
                kept.append(load)
                shown += 1
        if kept:
            found.append(CentreDay(day.centre, day.day, kept))
    return found
