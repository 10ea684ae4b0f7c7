"""Handing headsets out at the desk, taking them back, and the videos watched meanwhile.

The rules themselves are in :mod:`.rules`. Every write locks the centre of the
person's session (:func:`vr_booking.db.lock_centres`) and re-reads the person, the headset and
the open uses after the lock: two desks handing out the same headset, or two headsets to
the same person, at once end with one hand-out and one clear refusal.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, select

from vr_booking.config import settings_for
from vr_booking.db import lock_centres
from vr_booking.i18n import _
from vr_booking.models import Centre, Headset, HeadsetUse, StaffUser, Video, WatchedVideo
from vr_booking.services.catalogue.texts import by_shown
from vr_booking.services.desk.day import other_day
from vr_booking.services.desk.people import (
    Holder,
    desk_centre,
    find_holder,
    holder_of_use,
    reread,
)
from vr_booking.services.desk.rules import (
    Caps,
    Immersion,
    candidates,
    immersion,
    is_first_timer,
    job_videos,
    open_use_of,
    open_use_on,
    refusal,
    suggested_videos,
)
from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.fleet.access import find_headset
from vr_booking.services.fleet.charge import Battery
from vr_booking.services.fleet.content import installed_videos


def _check_holder(session: Session, holder: Holder, centre: Centre, now: datetime) -> None:
    if not holder.is_checked_in:
        raise Conflict("not_checked_in", _("{name} is not checked in: check them in "
                                           "first.").format(name=holder.name))
    if other_day(centre, holder.session.starts_at, now):
        raise Conflict("wrong_day", _("{name} is expected on another day, not today.").format(
            name=holder.name))
    held = open_use_of(session, holder)
    if held is not None:
        tag = session.get(Headset, held.headset_id).asset_tag
        raise Conflict("already_has_headset", _("{name} already has {tag}: take it back "
                                                "first.").format(name=holder.name, tag=tag))


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
    reread(session, holder)
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
    return suggested_videos(chosen, installed)


def _videos(session: Session, ids: Iterable[int]) -> list[Video]:
    return by_shown(session.exec(select(Video).where(col(Video.id).in_(list(ids)))))


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
