"""The hand-out rules in one place (field rules 1, 4–6) and the facts they read.

A headset goes to a person only if they are not a child under 13 on a group's roster, and
if it is at the desk's centre today, in service, not being worn, cleaned since its last
return, charged for the person's immersion cap plus the margin, not reserved by another
session meanwhile and, for open-access visitors, without a foam face cover. :func:`refusal`
says which rule refuses; the Today board uses it to offer headsets and :mod:`handout` to
refuse, so that both always agree.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from vr_booking.config import Settings
from vr_booking.db import overlaps
from vr_booking.i18n import _
from vr_booking.labels import label
from vr_booking.models import (
    BookingJob,
    Centre,
    FaceCover,
    Headset,
    HeadsetUse,
    ServiceState,
    VideoJob,
    VRSession,
)
from vr_booking.services.desk.people import Holder
from vr_booking.services.errors import Conflict, DomainError
from vr_booking.services.fleet.charge import Battery
from vr_booking.services.fleet.content import installed_videos
from vr_booking.services.fleet.inventory import HeadsetRow, summarise
from vr_booking.services.fleet.location import centre_ids_at, headsets_at
from vr_booking.services.fleet.reservations import Reservation, by_headset, reservations

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


def suggested_videos(chosen: Iterable[tuple[int, int]], installed: set[int]) -> set[int]:
    """The videos of the person's chosen (job, video) pairs that the headset holds."""
    return {video for _job, video in chosen if video in installed}


# --- the headset ----------------------------------------------------------------------------

@dataclass
class Candidate:
    """A headset with what the rules read about it now."""

    row: HeadsetRow
    is_here: bool
    reservations: list[Reservation] = field(default_factory=list)
    video_ids: set[int] = field(default_factory=set)

    @property
    def headset(self) -> Headset:
        return self.row.headset


def candidates(session: Session, centre: Centre, headsets: list[Headset], now: datetime,
               battery: Battery, horizon_minutes: int) -> list[Candidate]:
    """The facts for these headsets, read in a few queries: where, worn, clean, charge,
    installed videos, and allocations to sessions during the next ``horizon_minutes``."""
    here = {h.id for h in headsets_at(session, centre, now, now)}
    elsewhere = centre_ids_at(session, [h for h in headsets if h.id not in here], now)
    pairs = [(h, centre.id if h.id in here else elsewhere[h.id]) for h in headsets]
    return _candidates(session, pairs, here, now, battery, horizon_minutes)


def candidates_here(session: Session, centre: Centre, now: datetime, battery: Battery,
                    horizon_minutes: int) -> list[Candidate]:
    """:func:`candidates` for the headsets at the centre today, placed once (the board and
    the rounds placed them twice)."""
    headsets = headsets_at(session, centre, now, now)
    return _candidates(session, [(h, centre.id) for h in headsets], {h.id for h in headsets},
                       now, battery, horizon_minutes)


def _candidates(session: Session, pairs: list[tuple[Headset, int]], here: set[int],
                now: datetime, battery: Battery, horizon_minutes: int) -> list[Candidate]:
    ids = [h.id for h, _at in pairs]
    reserved = by_headset(reservations(session, now, now + timedelta(minutes=horizon_minutes),
                                       headset_ids=ids))
    installed = installed_videos(session, ids)
    return [Candidate(row, row.headset.id in here, reserved.get(row.headset.id, []),
                      installed.get(row.headset.id, set()))
            for row in summarise(session, pairs, now, battery)]


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
    if holder.is_child:
        return Conflict("under_13", _("{name} is under 13: nobody under 13 wears a headset. "
                                      "They do the non-VR activity.").format(name=holder.name))
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
