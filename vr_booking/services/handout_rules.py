"""The hand-out rules in one place (DESIGN rules 4–6) and the facts they read.

A headset goes to a person only if it is at the desk's centre today, in service, not being
worn, cleaned since its last return, charged for the person's immersion cap plus the margin,
not reserved by another session meanwhile and, for open-access visitors, without a foam
face cover. :func:`refusal` says which rule refuses; the Today board uses it to offer
headsets and :mod:`handout` to refuse, so that both always agree.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from vr_booking.config import Settings
from vr_booking.i18n import _
from vr_booking.labels import label
from vr_booking.models import (
    Allocation,
    Booking,
    BookingJob,
    BookingStatus,
    Centre,
    FaceCover,
    Headset,
    HeadsetUse,
    InstalledVideo,
    Participant,
    ServiceState,
    SessionKind,
    SessionStatus,
    VideoJob,
    VRSession,
)
from vr_booking.services.charge import Battery
from vr_booking.services.errors import Conflict, DomainError
from vr_booking.services.fleet import HeadsetRow, summarise
from vr_booking.services.location import current_centre_id, headsets_at
from vr_booking.services.timeutil import overlaps

# --- immersion caps (rule 4) ----------------------------------------------------------------

@dataclass(frozen=True)
class Caps:
    """Continuous minutes for a first immersion, and the hard cap for anyone."""

    first_minutes: int = 20
    max_minutes: int = 30

    @classmethod
    def from_settings(cls, settings: Settings) -> "Caps":
        return cls(settings.first_immersion_minutes, settings.max_immersion_minutes)

    def cap(self, is_first: bool) -> int:
        return min(self.first_minutes, self.max_minutes) if is_first else self.max_minutes


@dataclass(frozen=True)
class Immersion:
    started_at: datetime
    cap_minutes: int
    elapsed_minutes: int
    is_overdue: bool


def immersion(started_at: datetime, is_first: bool, now: datetime, caps: Caps) -> Immersion:
    """Whole minutes worn so far, the person's cap, and whether they are past it."""
    cap = caps.cap(is_first)
    worn = max(timedelta(0), now - started_at)
    return Immersion(started_at, cap, int(worn.total_seconds() // 60),
                     worn > timedelta(minutes=cap))


# --- the person -----------------------------------------------------------------------------

@dataclass
class Holder:
    """Who a headset is handed to: a booked visitor or a participant (walk-in or group)."""

    session: VRSession
    booking: Booking | None = None
    participant: Participant | None = None
    name: str = ""

    @property
    def key(self) -> str:
        return f"b{self.booking.id}" if self.booking else f"p{self.participant.id}"

    @property
    def is_open_access(self) -> bool:
        return self.session.kind == SessionKind.open_access

    @property
    def is_checked_in(self) -> bool:
        if self.session.status == SessionStatus.cancelled:
            return False
        if self.booking is not None:
            return self.booking.status == BookingStatus.checked_in
        return self.participant.checked_in_at is not None

    def person_filter(self) -> ColumnElement[bool]:
        """The SQL condition selecting this person's headset uses."""
        if self.booking is not None:
            return col(HeadsetUse.booking_id) == self.booking.id
        return col(HeadsetUse.participant_id) == self.participant.id


def participant_names(roster: Iterable[Participant]) -> dict[int, str]:
    """Participant id → the name the desk shows: theirs, else "Walk-in n" / "Participant n"
    numbered like the Today page lists them (walk-ins by arrival, a roster by name)."""
    walk_ins = sorted((p for p in roster if p.is_walk_in), key=lambda p: p.id)
    group = sorted((p for p in roster if not p.is_walk_in), key=lambda p: (p.display_name, p.id))
    names = {p.id: p.display_name or _("Walk-in {n}").format(n=n)
             for n, p in enumerate(walk_ins, 1)}
    names.update({p.id: p.display_name or _("Participant {n}").format(n=n)
                  for n, p in enumerate(group, 1)})
    return names


def open_use_of(session: Session, holder: Holder) -> HeadsetUse | None:
    return session.exec(select(HeadsetUse).where(
        holder.person_filter(), col(HeadsetUse.returned_at).is_(None),
    ).execution_options(populate_existing=True)).first()


def open_use_on(session: Session, headset_id: int) -> HeadsetUse | None:
    return session.exec(select(HeadsetUse).where(
        HeadsetUse.headset_id == headset_id, col(HeadsetUse.returned_at).is_(None),
    ).execution_options(populate_existing=True)).first()


def is_first_timer(session: Session, holder: Holder) -> bool:
    """A first-timer unless they already had a headset and gave it back."""
    return session.exec(select(HeadsetUse.id).where(
        holder.person_filter(), col(HeadsetUse.returned_at).is_not(None))).first() is None


def job_videos(session: Session, booking_ids: Iterable[int]) -> dict[int, set[tuple[int, int]]]:
    """Booking id → (job, video) pairs for the jobs chosen at booking (BookingJob → VideoJob)."""
    pairs: dict[int, set[tuple[int, int]]] = {}
    for booking_id, job_id, video_id in session.exec(
            select(BookingJob.booking_id, BookingJob.job_id, VideoJob.video_id)
            .join(VideoJob, col(VideoJob.job_id) == BookingJob.job_id)
            .where(col(BookingJob.booking_id).in_(list(booking_ids)))):
        pairs.setdefault(booking_id, set()).add((job_id, video_id))
    return pairs


def installed_videos(session: Session, headset_ids: Iterable[int]) -> dict[int, set[int]]:
    """Headset id → ids of the videos installed on it."""
    installed: dict[int, set[int]] = {}
    for headset_id, video_id in session.exec(
            select(InstalledVideo.headset_id, InstalledVideo.video_id)
            .where(col(InstalledVideo.headset_id).in_(list(headset_ids)))):
        installed.setdefault(headset_id, set()).add(video_id)
    return installed


# --- the headset ----------------------------------------------------------------------------

@dataclass
class Candidate:
    """A headset with what the rules read about it now."""

    row: HeadsetRow
    is_here: bool
    reservations: list[tuple[Allocation, VRSession]] = field(default_factory=list)
    video_ids: set[int] = field(default_factory=set)

    @property
    def headset(self) -> Headset:
        return self.row.headset


def candidates(session: Session, centre: Centre, headsets: list[Headset], now: datetime,
               battery: Battery, horizon_minutes: int) -> list[Candidate]:
    """The facts for these headsets, read in a few queries: where, worn, clean, charge,
    installed videos, and allocations to sessions during the next ``horizon_minutes``."""
    here = {h.id for h in headsets_at(session, centre, now, now)}
    pairs = [(h, centre.id if h.id in here else current_centre_id(session, h, now))
             for h in headsets]
    ids = [h.id for h in headsets]
    reserved = _reservations(session, ids, now, now + timedelta(minutes=horizon_minutes))
    installed = installed_videos(session, ids)
    return [Candidate(row, row.headset.id in here, reserved.get(row.headset.id, []),
                      installed.get(row.headset.id, set()))
            for row in summarise(session, pairs, now, battery)]


def _reservations(session: Session, headset_ids: list[int], start_at: datetime,
                  end_at: datetime) -> dict[int, list[tuple[Allocation, VRSession]]]:
    """Headset id → its allocations to non-cancelled sessions overlapping [start_at, end_at)."""
    reserved: dict[int, list] = {}
    for allocation, vr_session in session.exec(
            select(Allocation, VRSession)
            .join(VRSession, col(VRSession.id) == Allocation.session_id)
            .where(col(Allocation.headset_id).in_(headset_ids), Allocation.starts_at < end_at,
                   Allocation.ends_at > start_at, VRSession.status != SessionStatus.cancelled)):
        reserved.setdefault(allocation.headset_id, []).append((allocation, vr_session))
    return reserved


def _reserved_elsewhere(candidate: Candidate, holder: Holder, now: datetime,
                        cap: int) -> VRSession | None:
    """Another session holding this headset during the person's planned immersion."""
    end = now + timedelta(minutes=cap)
    return next((s for a, s in candidate.reservations
                 if s.id != holder.session.id and overlaps(a.starts_at, a.ends_at, now, end)),
                None)


def refusal(candidate: Candidate, holder: Holder, cap: int, now: datetime) -> DomainError | None:
    """Why this headset may not go to this person for ``cap`` minutes now (None: it may)."""
    headset, row, tag = candidate.headset, candidate.row, candidate.headset.asset_tag
    if not candidate.is_here:
        return Conflict("headset_elsewhere", _("{tag} is not at this centre today.").format(
            tag=tag))
    if headset.service_state != ServiceState.in_service:
        return Conflict("headset_out_of_service", _("{tag} is out of service ({state}).").format(
            tag=tag, state=label(headset.service_state)))
    if row.in_use:
        return Conflict("headset_in_use", _("{tag} is being worn by someone else.").format(
            tag=tag))
    if row.to_clean:
        return Conflict("headset_dirty", _("{tag} has not been cleaned since it was last "
                                           "returned: clean it first.").format(tag=tag))
    if not row.charge.fits(cap):
        return Conflict("headset_low_charge", _charge_message(candidate, cap))
    if headset.face_cover == FaceCover.foam and holder.is_open_access:
        return Conflict("headset_foam_cover", _("{tag} has a foam face cover, which is not for "
                                                "open-access visitors.").format(tag=tag))
    reserved = _reserved_elsewhere(candidate, holder, now, cap)
    if reserved is not None:
        return Conflict("headset_reserved", _("{tag} is reserved for another session "
                                              "({session}) during this time.").format(
            tag=tag, session=reserved.title or label(reserved.kind)))
    return None


def _charge_message(candidate: Candidate, cap: int) -> str:
    charge, tag = candidate.row.charge, candidate.headset.asset_tag
    if not charge.is_known:
        return _("The charge of {tag} was never recorded: record it on the headset's page "
                 "first.").format(tag=tag)
    return _("{tag} has about {left} min of use left, not enough for {cap} min plus a "
             "{margin} min margin: charge it or take another headset.").format(
        tag=tag, left=charge.minutes_left, cap=cap, margin=charge.battery.margin_minutes)


def rank(options: list[Candidate], holder: Holder,
         chosen: set[tuple[int, int]]) -> list[Candidate]:
    """Best first: reserved for the person's own session, showing most of the jobs they
    chose (``chosen``: (job, video) pairs), then the most charge left, then by tag."""
    def key(candidate: Candidate) -> tuple:
        own = any(s.id == holder.session.id for _a, s in candidate.reservations)
        jobs = {job for job, video in chosen if video in candidate.video_ids}
        return (not own, -len(jobs), -(candidate.row.charge.minutes_left or 0),
                candidate.headset.asset_tag)

    return sorted(options, key=key)
