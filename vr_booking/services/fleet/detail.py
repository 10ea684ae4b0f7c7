"""One headset: its summary and its full history (sessions, loans, cleanings, incidents,
state changes), newest first."""

from dataclasses import dataclass
from datetime import datetime, time

from sqlmodel import Session, col, select

from vr_booking.models import (
    Centre,
    Cleaning,
    Headset,
    HeadsetStateChange,
    HeadsetUse,
    Incident,
    InstalledVideo,
    Loan,
    LoanHeadset,
    StaffUser,
    Video,
    VRSession,
)
from vr_booking.services.fleet.charge import Battery
from vr_booking.services.fleet.inventory import HeadsetRow, summarise
from vr_booking.services.fleet.location import current_centre_id
from vr_booking.services.fleet.reservations import Reservation, reservations
from vr_booking.services.timeutil import local_to_utc

# --- one headset: details and history -------------------------------------------------------

@dataclass
class HistoryEntry:
    """One line of a headset's history; ``kind`` picks how the page shows ``row``."""

    at: datetime
    kind: str
    row: object
    who: str | None = None
    session: VRSession | None = None
    centres: tuple[Centre, Centre] | None = None


@dataclass
class HeadsetDetail:
    summary: HeadsetRow
    installed_videos: list[Video]
    upcoming: list[Reservation]
    history: list[HistoryEntry]


def headset_summary(session: Session, headset: Headset, now: datetime,
                    battery: Battery) -> HeadsetRow:
    return summarise(session, [(headset, current_centre_id(session, headset, now))],
                     now, battery)[0]


def headset_detail(session: Session, headset: Headset, now: datetime,
                   battery: Battery) -> HeadsetDetail:
    summary = headset_summary(session, headset, now, battery)
    videos = session.exec(
        select(Video).join(InstalledVideo, col(InstalledVideo.video_id) == Video.id)
        .where(InstalledVideo.headset_id == headset.id).order_by(Video.title)).all()
    allocations = reservations(session, headset_ids=[headset.id])
    upcoming = [(a, s) for a, s in allocations if a.ends_at > now]
    past = [(a, s) for a, s in allocations if a.ends_at <= now]
    return HeadsetDetail(summary, list(videos), upcoming, history(session, headset, past))


def history(session: Session, headset: Headset,
            past_allocations: list[Reservation]) -> list[HistoryEntry]:
    """Everything that happened to a headset, newest first, with who did it."""
    names = dict(session.exec(select(StaffUser.id, StaffUser.name)).all())
    entries = [HistoryEntry(a.starts_at, "allocation", a, names.get(s.facilitator_id), s)
               for a, s in past_allocations]
    uses = session.exec(
        select(HeadsetUse, VRSession).join(VRSession, col(VRSession.id) == HeadsetUse.session_id)
        .where(HeadsetUse.headset_id == headset.id))
    entries += [HistoryEntry(u.started_at, "use", u, names.get(u.handed_out_by_id), s)
                for u, s in uses]
    entries += [HistoryEntry(c.cleaned_at, "cleaning", c, names.get(c.staff_id)) for c in
                session.exec(select(Cleaning).where(Cleaning.headset_id == headset.id))]
    entries += [HistoryEntry(i.occurred_at, "incident", i, names.get(i.reported_by_id)) for i in
                session.exec(select(Incident).where(Incident.headset_id == headset.id))]
    entries += [HistoryEntry(c.changed_at, "state", c, names.get(c.staff_id)) for c in
                session.exec(select(HeadsetStateChange)
                             .where(HeadsetStateChange.headset_id == headset.id))]
    entries += _loan_entries(session, headset, names)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def _loan_entries(session: Session, headset: Headset, names: dict) -> list[HistoryEntry]:
    loans = session.exec(select(Loan).join(LoanHeadset, col(LoanHeadset.loan_id) == Loan.id)
                         .where(LoanHeadset.headset_id == headset.id)).all()
    centres = {c.id: c for c in session.exec(select(Centre))} if loans else {}
    entries = []
    for loan in loans:
        lender = centres[loan.from_centre_id]
        entries.append(HistoryEntry(
            local_to_utc(loan.start_date, time(0), lender.timezone), "loan", loan,
            names.get(loan.created_by_id), centres=(lender, centres[loan.to_centre_id])))
    return entries
