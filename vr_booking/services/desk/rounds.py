"""A group's rounds at the desk: hand headsets to a whole round at once.

Each checked-in participant of the round who has no headset gets the best one on offer (its
own session's first, then the most charged), through the same hand-out as one person at a
time (:func:`.handout.hand_out`: its rules, its lock), so a round never bends a rule. Who is
in which round comes from the rotation planner (:mod:`vr_booking.services.groups.rotation`).
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from vr_booking.config import settings_for
from vr_booking.db import lock_centres
from vr_booking.i18n import _, ngettext
from vr_booking.models import Participant, SessionKind, StaffUser, VRSession
from vr_booking.services.desk.handout import HandOut, hand_out
from vr_booking.services.desk.people import desk_centre, find_holder
from vr_booking.services.desk.rules import (
    Caps,
    candidates_here,
    is_first_timer,
    open_use_of,
    rank,
    refusal,
)
from vr_booking.services.errors import DomainError, NotFound
from vr_booking.services.fleet.charge import Battery
from vr_booking.services.groups.rotation import Round, plan_rotation


@dataclass
class RoundHandOut:
    round: Round
    given: list[HandOut] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, why)


def hand_out_round(session: Session, staff: StaffUser, now: datetime, group_id: int,
                   number: int, centre_id: int | None = None) -> RoundHandOut:
    """Hand headsets to the checked-in participants of round ``number`` (from 1)."""
    group = session.get(VRSession, group_id)
    if group is None or group.kind == SessionKind.open_access:
        raise NotFound("unknown_group_session", _("This group session does not exist."))
    centre = desk_centre(session, staff, group, centre_id)
    lock_centres(session, [centre.id])
    roster = session.exec(select(Participant).where(Participant.session_id == group.id)).all()
    rounds = plan_rotation(group, roster).rounds
    if not 1 <= number <= len(rounds):
        raise NotFound("unknown_round", _("This group has no round {n}.").format(n=number))
    done = RoundHandOut(rounds[number - 1])
    settings = settings_for(session)
    caps, battery = Caps.from_settings(settings), Battery.from_settings(settings)
    offered = candidates_here(session, centre, now, battery, caps.max_minutes)
    given: set[str] = set()
    for participant in done.round.people:
        holder = find_holder(session, participant_id=participant.id)
        if not holder.is_checked_in:
            done.refused.append((holder.name, _("not checked in yet.")))
            continue
        if open_use_of(session, holder) is not None:
            continue
        cap = caps.cap(is_first_timer(session, holder))
        options = rank([c for c in offered if c.headset.asset_tag not in given
                        and refusal(c, holder, cap, now) is None], holder, set())
        if not options:
            done.refused.append((holder.name, _("no headset is ready: clean or charge one.")))
            continue
        try:
            handed = hand_out(session, staff, now, options[0].headset.asset_tag,
                              participant_id=participant.id, centre_id=centre.id)
        except DomainError as error:
            done.refused.append((holder.name, error.message))
            continue
        given.add(handed.headset.asset_tag)
        done.given.append(handed)
    return done


def round_message(done: RoundHandOut) -> str:
    """What the desk shows after handing out a round."""
    given = len(done.given)
    lines = [_("Round {n}:").format(n=done.round.number) + " " + ngettext(
        "%(num)d headset handed out.", "%(num)d headsets handed out.", given) % {"num": given}]
    lines += [_("{tag} to {name}").format(tag=h.headset.asset_tag, name=h.holder.name)
              for h in done.given]
    lines += [_("{name}: {why}").format(name=name, why=why) for name, why in done.refused]
    return " · ".join(lines)
