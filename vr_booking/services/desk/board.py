"""The headsets on the Today page: each one's state, who wears it, and what to offer whom.

Read-only and built in a fixed number of queries for the day's sessions (the page polls it
every few seconds). Offers come from :func:`.rules.refusal`, the same rules the hand-out
applies under its lock.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, or_, select

from vr_booking.config import settings_for
from vr_booking.models import (
    Booking,
    BookingStatus,
    Centre,
    Headset,
    HeadsetUse,
    Participant,
    ServiceState,
    Video,
    VRSession,
)
from vr_booking.services.catalogue.texts import by_shown
from vr_booking.services.desk.people import Holder, holder_key, participant_names
from vr_booking.services.desk.rules import (
    Candidate,
    Caps,
    Immersion,
    candidates_here,
    immersion,
    job_videos,
    rank,
    refusal,
    suggested_videos,
)
from vr_booking.services.fleet.charge import Battery
from vr_booking.services.fleet.location import centre_ids_at


@dataclass
class HeadsetLine:
    """One headset at the centre today; ``status`` is free, in_use, to_clean, low_charge or
    out (the first that applies: out, in use, to clean, low charge)."""

    candidate: Candidate
    status: str
    use: HeadsetUse | None = None
    holder: Holder | None = None
    immersion: Immersion | None = None
    videos: list[Video] = field(default_factory=list)
    default_video_ids: set[int] = field(default_factory=set)
    enough_for_first_only: bool = False


@dataclass
class PersonLine:
    """A checked-in person (or one wearing a headset): theirs, or the headsets on offer.

    ``state`` is ``wearing``, ``done`` (their immersion ended: the headset came back; they
    are not offered another one unless the desk asks) or ``waiting`` (for a headset).
    """

    holder: Holder
    use: HeadsetUse | None = None
    headset: Headset | None = None
    immersion: Immersion | None = None
    options: list[Candidate] = field(default_factory=list)
    finished: HeadsetUse | None = None
    finished_tag: str = ""

    @property
    def state(self) -> str:
        if self.use is not None:
            return "wearing"
        return "done" if self.finished is not None else "waiting"

    @property
    def finished_minutes(self) -> int:
        use = self.finished
        return max(0, round((use.returned_at - use.started_at).total_seconds() / 60))


@dataclass
class HeadsetBoard:
    lines: list[HeadsetLine]
    lent_away: list[tuple[Headset, Centre]]
    people: dict[str, PersonLine]
    walk_ins: dict[int, list[Participant]]

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def waiting(self) -> int:
        """People checked in and waiting for a headset (they come before walk-ins)."""
        return sum(1 for person in self.people.values() if person.state == "waiting")

    def is_busy_in(self, session_id: int) -> bool:
        """Whether someone of this session is waiting for a headset or wearing one (an
        ended slot stays in view while its people are still at the desk)."""
        return any(person.holder.session.id == session_id and person.state != "done"
                   for person in self.people.values())

    @property
    def ready_for_walk_ins(self) -> int:
        """Headsets that could go to a walk-in now, once the people waiting have theirs."""
        return max(0, self.count("free") - self.waiting)

    def for_booking(self, booking: Booking) -> PersonLine | None:
        return self.people.get(holder_key(booking.id, None))

    def for_participant(self, participant: Participant) -> PersonLine | None:
        return self.people.get(holder_key(None, participant.id))


def headset_board(session: Session, centre: Centre, sessions: list[VRSession],
                  now: datetime) -> HeadsetBoard:
    """The centre's headsets now, and the people of these sessions (today's)."""
    settings = settings_for(session)
    caps = Caps.from_settings(settings)
    found = candidates_here(session, centre, now, Battery.from_settings(settings),
                            caps.max_minutes)
    uses = {u.headset_id: u for u in session.exec(select(HeadsetUse).where(
        col(HeadsetUse.headset_id).in_([c.headset.id for c in found]),
        col(HeadsetUse.returned_at).is_(None)))}
    holders, walk_ins = _people(session, sessions, list(uses.values()))
    chosen = job_videos(session, [h.booking.id for h in holders.values() if h.booking])
    lines = [_line(c, uses.get(c.headset.id), holders, chosen, caps, now) for c in found]
    _attach_videos(session, lines)
    people = _person_lines(session, holders, lines, chosen, caps, now)
    return HeadsetBoard(lines, _lent_away(session, centre, found, now), people, walk_ins)


def _people(session: Session, sessions: list[VRSession],
            uses: list[HeadsetUse]) -> tuple[dict[str, Holder], dict[int, list[Participant]]]:
    """Holders by key (checked in today, or wearing one of our headsets) and walk-ins by slot."""
    by_id = {s.id: s for s in sessions}
    session_ids = set(by_id) | {u.session_id for u in uses}
    by_id.update({s.id: s for s in session.exec(
        select(VRSession).where(col(VRSession.id).in_(session_ids - set(by_id))))})
    bookings = session.exec(select(Booking).where(or_(
        (col(Booking.session_id).in_(list(by_id))) & (Booking.status == BookingStatus.checked_in),
        col(Booking.id).in_([u.booking_id for u in uses if u.booking_id])))).all()
    roster = session.exec(select(Participant).where(
        col(Participant.session_id).in_(session_ids))).all()
    names = participant_names(roster)
    wearing = {u.participant_id for u in uses}
    holders = {holder_key(b.id, None): Holder(by_id[b.session_id], booking=b, name=b.name)
               for b in bookings}
    holders.update({holder_key(None, p.id): Holder(by_id[p.session_id], participant=p,
                                                   name=names[p.id])
                    for p in roster if p.checked_in_at is not None or p.id in wearing})
    walk_ins: dict[int, list[Participant]] = {}
    for participant in sorted(roster, key=lambda p: p.id):
        if participant.is_walk_in:
            walk_ins.setdefault(participant.session_id, []).append(participant)
    return holders, walk_ins


def _line(candidate: Candidate, use: HeadsetUse | None, holders: dict[str, Holder],
          chosen: dict, caps: Caps, now: datetime) -> HeadsetLine:
    row = candidate.row
    if candidate.headset.service_state != ServiceState.in_service:
        return HeadsetLine(candidate, "out")
    if use is not None:
        holder = holders[holder_key(use.booking_id, use.participant_id)]
        defaults = suggested_videos(chosen.get(use.booking_id, set()), candidate.video_ids)
        return HeadsetLine(candidate, "in_use", use, holder,
                           immersion(use.started_at, use.is_first_immersion, now, caps),
                           default_video_ids=defaults)
    if row.to_clean:
        return HeadsetLine(candidate, "to_clean")
    if not row.charge.fits(caps.cap(is_first=True)):
        return HeadsetLine(candidate, "low_charge")
    return HeadsetLine(candidate, "free",
                       enough_for_first_only=not row.charge.fits(caps.cap(is_first=False)))


def _attach_videos(session: Session, lines: list[HeadsetLine]) -> None:
    """The installed videos of the headsets being worn (for the "videos watched" form)."""
    worn = [line for line in lines if line.use is not None]
    ids = set().union(*(line.candidate.video_ids for line in worn))
    if not ids:
        return
    for video in by_shown(session.exec(select(Video).where(col(Video.id).in_(ids)))):
        for line in worn:
            if video.id in line.candidate.video_ids:
                line.videos.append(video)


def _person_lines(session: Session, holders: dict[str, Holder], lines: list[HeadsetLine],
                  chosen: dict, caps: Caps, now: datetime) -> dict[str, PersonLine]:
    worn = {line.holder.key: line for line in lines if line.holder is not None}
    returned = _last_returns(session, list(holders.values()))
    tags = _tags(session, lines, returned.values())
    people = {}
    for key, holder in holders.items():
        if key in worn:
            line = worn[key]
            people[key] = PersonLine(holder, line.use, line.candidate.headset, line.immersion)
            continue
        cap = caps.cap(is_first=key not in returned)
        options = [line.candidate for line in lines
                   if refusal(line.candidate, holder, cap, now) is None]
        wanted = chosen.get(holder.booking.id, set()) if holder.booking else set()
        finished = returned.get(key)
        people[key] = PersonLine(holder, options=rank(options, holder, wanted),
                                 finished=finished,
                                 finished_tag=tags.get(finished.headset_id, "") if finished
                                 else "")
    return people


def _last_returns(session: Session, holders: list[Holder]) -> dict[str, HeadsetUse]:
    """The last headset each person gave back (they are no longer first-timers)."""
    booking_ids = [h.booking.id for h in holders if h.booking]
    participant_ids = [h.participant.id for h in holders if h.participant]
    uses = session.exec(select(HeadsetUse).where(
        col(HeadsetUse.returned_at).is_not(None),
        or_(col(HeadsetUse.booking_id).in_(booking_ids),
            col(HeadsetUse.participant_id).in_(participant_ids)))
        .order_by(col(HeadsetUse.returned_at))).all()
    return {holder_key(u.booking_id, u.participant_id): u for u in uses}


def _tags(session: Session, lines: list[HeadsetLine],
          uses: Iterable[HeadsetUse]) -> dict[int, str]:
    """Asset tags of the headsets of these uses (most are on the board already)."""
    tags = {line.candidate.headset.id: line.candidate.headset.asset_tag for line in lines}
    missing = {u.headset_id for u in uses} - set(tags)
    if missing:
        tags.update(session.exec(select(Headset.id, Headset.asset_tag).where(
            col(Headset.id).in_(missing))).all())
    return tags


def _lent_away(session: Session, centre: Centre, here: list[Candidate],
               now: datetime) -> list[tuple[Headset, Centre]]:
    """Headsets based here that are at another centre today (loans)."""
    away = session.exec(select(Headset).where(
        Headset.home_centre_id == centre.id,
        col(Headset.id).not_in([c.headset.id for c in here])).order_by(Headset.asset_tag)).all()
    where = centre_ids_at(session, away, now)
    centres = {c.id: c for c in session.exec(select(Centre).where(
        col(Centre.id).in_(set(where.values()))))}
    return [(h, centres[where[h.id]]) for h in away]
