"""Handing headsets out at the desk, taking them back, and the videos watched meanwhile.

The rules themselves are in :mod:`handout_rules`. Every write locks the centre of the
person's session (:func:`capacity.lock_centres`) and re-reads the person, the headset and
the open uses after the lock: two desks handing out the same headset, or two headsets to
the same person, at once end with one hand-out and one clear refusal.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, select

from vr_booking.config import settings_for
from vr_booking.i18n import _
from vr_booking.models import (
    Booking,
    Centre,
    Headset,
    HeadsetUse,
    Participant,
    SessionStatus,
    StaffUser,
    Video,
    VRSession,
    WatchedVideo,
)
from vr_booking.services.auth import visible_centre_ids
from vr_booking.services.capacity import lock_centres
from vr_booking.services.charge import Battery
from vr_booking.services.desk import find_ticket, local_day
from vr_booking.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from vr_booking.services.fleet import find_headset
from vr_booking.services.handout_rules import (
    Caps,
    Holder,
    Immersion,
    candidates,
    immersion,
    installed_videos,
    is_first_timer,
    job_videos,
    open_use_of,
    open_use_on,
    participant_names,
    refusal,
)

# --- the person -----------------------------------------------------------------------------

def find_holder(session: Session, *, token: str | None = None, code: str | None = None,
                participant_id: int | None = None) -> Holder:
    """The person of a ticket (token, typed code or URL) or a participant id, named."""
    if participant_id is not None:
        participant = session.get(Participant, participant_id)
        if participant is None:
            raise NotFound("unknown_participant", _("This participant does not exist."))
        return _named(session, Holder(session.get(VRSession, participant.session_id),
                                      participant=participant))
    booking = find_ticket(session, token, code)
    return _named(session, Holder(session.get(VRSession, booking.session_id), booking=booking))


def holder_of_use(session: Session, use: HeadsetUse) -> Holder:
    holder = Holder(session.get(VRSession, use.session_id),
                    booking=session.get(Booking, use.booking_id) if use.booking_id else None,
                    participant=session.get(Participant, use.participant_id)
                    if use.participant_id else None)
    return _named(session, holder)


def _named(session: Session, holder: Holder) -> Holder:
    if holder.booking is not None:
        holder.name = holder.booking.name
    else:
        roster = session.exec(select(Participant).where(
            Participant.session_id == holder.session.id)).all()
        holder.name = participant_names(roster)[holder.participant.id]
    return holder


def desk_centre(session: Session, staff: StaffUser, vr_session: VRSession,
                desk_centre_id: int | None) -> Centre:
    """The centre of the person's session, if the desk and the staff member may act there."""
    centre = session.get(Centre, vr_session.centre_id)
    if desk_centre_id is not None and centre.id != desk_centre_id:
        raise Conflict("wrong_centre", _("This person is expected at {centre}, not at this "
                                         "centre.").format(centre=centre.name))
    if centre.id not in visible_centre_ids(session, staff):
        raise Forbidden("not_your_centre", _("This person belongs to another centre."))
    return centre


def _reread(session: Session, holder: Holder) -> None:
    """Fresh rows after taking the lock: another desk may have changed them meanwhile."""
    for row in (holder.session, holder.booking, holder.participant):
        if row is not None:
            session.refresh(row)


def _check_holder(session: Session, holder: Holder, centre: Centre, now: datetime) -> None:
    if not holder.is_checked_in:
        raise Conflict("not_checked_in", _("{name} is not checked in: check them in "
                                           "first.").format(name=holder.name))
    if local_day(centre, holder.session.starts_at) != local_day(centre, now):
        raise Conflict("wrong_day", _("{name} is expected on another day, not today.").format(
            name=holder.name))
    held = open_use_of(session, holder)
    if held is not None:
        tag = session.get(Headset, held.headset_id).asset_tag
        raise Conflict("already_has_headset", _("{name} already has {tag}: take it back "
                                                "first.").format(name=holder.name, tag=tag))


def check_in_participant(session: Session, staff: StaffUser, participant_id: int,
                         now: datetime, centre_id: int | None = None) -> tuple[Holder, bool]:
    """Check a group participant in (today, at the desk's centre); True when already."""
    holder = find_holder(session, participant_id=participant_id)
    centre = desk_centre(session, staff, holder.session, centre_id)
    lock_centres(session, [centre.id])
    _reread(session, holder)
    if holder.session.status == SessionStatus.cancelled:
        raise Conflict("cancelled", _("This session was cancelled."))
    if local_day(centre, holder.session.starts_at) != local_day(centre, now):
        raise Conflict("wrong_day", _("{name} is expected on another day, not today.").format(
            name=holder.name))
    if holder.participant.checked_in_at is not None:
        return holder, True
    holder.participant.checked_in_at = now
    session.add(holder.participant)
    session.flush()
    return holder, False


# --- hand-out -------------------------------------------------------------------------------

@dataclass
class HandOut:
    use: HeadsetUse
    headset: Headset
    holder: Holder
    immersion: Immersion
    videos: list[Video]


def hand_out(session: Session, staff: StaffUser, now: datetime, asset_tag: str, *,
             token: str | None = None, code: str | None = None,
             participant_id: int | None = None, centre_id: int | None = None) -> HandOut:
    """Hand a headset to a checked-in person of today, if every rule allows it."""
    holder = find_holder(session, token=token, code=code, participant_id=participant_id)
    centre = desk_centre(session, staff, holder.session, centre_id)
    headset = find_headset(session, asset_tag)
    lock_centres(session, [centre.id])
    _reread(session, holder)
    session.refresh(headset)
    _check_holder(session, holder, centre, now)
    settings = settings_for(session)
    caps = Caps.from_settings(settings)
    is_first = is_first_timer(session, holder)
    cap = caps.cap(is_first)
    candidate = candidates(session, centre, [headset], now, Battery.from_settings(settings),
                           cap)[0]
    error = refusal(candidate, holder, cap, now)
    if error is not None:
        raise error
    use = HeadsetUse(headset_id=headset.id, session_id=holder.session.id,
                     booking_id=holder.booking.id if holder.booking else None,
                     participant_id=holder.participant.id if holder.participant else None,
                     is_first_immersion=is_first, started_at=now, handed_out_by_id=staff.id)
    session.add(use)
    session.flush()
    return HandOut(use, headset, holder, immersion(now, is_first, now, caps),
                   _videos(session, default_video_ids(session, use)))


def hand_out_message(done: HandOut) -> str:
    return _("{tag} handed out to {name}: {cap} minutes at most.").format(
        tag=done.headset.asset_tag, name=done.holder.name, cap=done.immersion.cap_minutes)


def default_video_ids(session: Session, use: HeadsetUse) -> set[int]:
    """The videos of the jobs the person chose at booking that are installed on the headset."""
    if use.booking_id is None:
        return set()
    chosen = job_videos(session, [use.booking_id]).get(use.booking_id, set())
    installed = installed_videos(session, [use.headset_id]).get(use.headset_id, set())
    return {video for _job, video in chosen if video in installed}


def _videos(session: Session, ids: Iterable[int]) -> list[Video]:
    return list(session.exec(select(Video).where(col(Video.id).in_(list(ids)))
                             .order_by(Video.title)))


# --- return ---------------------------------------------------------------------------------

@dataclass
class Return:
    use: HeadsetUse
    headset: Headset
    holder: Holder
    minutes: int
    watched: list[Video]


def return_headset(session: Session, staff: StaffUser, now: datetime, asset_tag: str, *,
                   video_ids: Iterable[int] | None = None,
                   centre_id: int | None = None) -> Return:
    """Take a headset back (it is then to clean) and record the videos watched, if given."""
    headset = find_headset(session, asset_tag)
    use = _open_use_or_refuse(session, headset)
    holder = holder_of_use(session, use)
    centre = _use_centre(session, staff, holder, centre_id)
    lock_centres(session, [centre.id])
    session.refresh(headset)
    use = _open_use_or_refuse(session, headset)  # another desk may have taken it back
    minutes = end_use(session, use, headset, now)
    watched = [] if video_ids is None else record_watched(session, use, video_ids)
    return Return(use, headset, holder, minutes, watched)


def return_message(done: Return) -> str:
    return _("{tag} is back from {name} after {minutes} min: clean it before the next "
             "person.").format(tag=done.headset.asset_tag, name=done.holder.name,
                               minutes=done.minutes)


def _open_use_or_refuse(session: Session, headset: Headset) -> HeadsetUse:
    use = open_use_on(session, headset.id)
    if use is None:
        raise Conflict("headset_not_in_use", _("Nobody is wearing {tag} at the moment.").format(
            tag=headset.asset_tag))
    return use


def _use_centre(session: Session, staff: StaffUser, holder: Holder,
                desk_centre_id: int | None) -> Centre:
    """The centre where the headset was handed out; a desk elsewhere is refused."""
    try:
        return desk_centre(session, staff, holder.session, desk_centre_id)
    except Conflict as error:
        raise Conflict("headset_elsewhere", _("This headset was handed out at another "
                                              "centre.")) from error


def end_use(session: Session, use: HeadsetUse, headset: Headset, now: datetime) -> int:
    """End a use: the headset is then to clean; its usage counters grow. Returns minutes."""
    minutes = max(0, round((now - use.started_at).total_seconds() / 60))
    use.returned_at = now
    headset.usage_minutes += minutes
    headset.usage_count += 1
    session.add_all([use, headset])
    session.flush()
    return minutes


def record_watched(session: Session, use: HeadsetUse, video_ids: Iterable[int]) -> list[Video]:
    """Replace the videos watched during a use; they must be installed on its headset."""
    wanted = set(video_ids)
    installed = installed_videos(session, [use.headset_id]).get(use.headset_id, set())
    if not wanted <= installed:
        message = _("Some of the chosen videos are not installed on this headset.")
        raise InvalidInput("video_not_installed", message, {"videos": message})
    session.exec(delete(WatchedVideo).where(col(WatchedVideo.use_id) == use.id))
    session.add_all(WatchedVideo(use_id=use.id, video_id=video_id) for video_id in wanted)
    session.flush()
    return _videos(session, wanted)
