"""The rotation planner (field rule 8): a group larger than its headsets takes turns.

Pure arithmetic, no database: N people who will wear a headset, H headsets, one round =
briefing + video + cleaning minutes. Rounds = ceil(N / H), as even as they can be (28 people
on 10 headsets: 10, 9 and 9, never 10, 10 and 8, so that no round is a small leftover);
round k starts k rounds after the session's start; the people not in a round do a non-VR
activity meanwhile. Children under 13 never wear one (field rule 1): they are left out of
the rounds and do the non-VR activity throughout.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from vr_booking.config import Settings
from vr_booking.i18n import _, ngettext
from vr_booking.models import CHILD_AGE_BAND, Participant, VRSession


@dataclass(frozen=True)
class Limits:
    """What the warnings compare with: a charge's minutes of use, a first immersion's cap."""

    battery_minutes: int = 120
    first_timer_minutes: int = 20

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        return cls(settings.battery_full_minutes, settings.first_immersion_minutes)


@dataclass(frozen=True)
class PlanWarning:
    """A problem with the plan; ``code`` is stable (the API's), ``message`` for people."""

    code: str
    message: str


@dataclass
class Round:
    number: int  # from 1
    starts_at: datetime
    ends_at: datetime
    size: int
    people: list[Participant] = field(default_factory=list)  # the named ones, if a roster

    @property
    def unnamed(self) -> int:
        """Places in this round not yet named on the roster."""
        return self.size - len(self.people)


@dataclass
class Rotation:
    headsets: int
    wearers: int  # people who will wear a headset
    round_minutes: int
    starts_at: datetime
    rounds: list[Round]
    children: list[Participant]  # under 13: the non-VR activity throughout
    warnings: list[PlanWarning]

    @property
    def per_round(self) -> int:
        """People in the largest round (the headsets worn at once)."""
        return max((r.size for r in self.rounds), default=0)

    @property
    def ends_at(self) -> datetime:
        return self.rounds[-1].ends_at if self.rounds else self.starts_at

    @property
    def sizes(self) -> list[int]:
        return [r.size for r in self.rounds]

    @property
    def has_waiting(self) -> bool:
        """Whether some people wait (non-VR activity) while others wear the headsets."""
        return len(self.rounds) > 1 or bool(self.children)


def round_sizes(people: int, headsets: int) -> list[int]:
    """ceil(people / headsets) rounds, their sizes differing by one at most, largest first."""
    if people <= 0 or headsets <= 0:
        return []
    rounds = -(-people // headsets)
    base, extra = divmod(people, rounds)
    return [base + 1 if n < extra else base for n in range(rounds)]


def is_child(participant: Participant) -> bool:
    return participant.age_band == CHILD_AGE_BAND


def roster_order(people: Sequence[Participant]) -> list[Participant]:
    """The roster in the order it was made (an import's rows, then later additions), so that
    adding someone never moves the others to another round."""
    return sorted((p for p in people if not p.is_walk_in), key=lambda p: p.id or 0)


def plan_rotation(group: VRSession, people: Sequence[Participant] = (),
                  limits: Limits = Limits()) -> Rotation:
    """The rounds of a group session, who is in each, and what is wrong with the plan."""
    roster = roster_order(people)
    children = [p for p in roster if is_child(p)]
    wearing = [p for p in roster if not is_child(p)]
    wearers = max(len(wearing), group.group_size - len(children))
    minutes = group.briefing_minutes + group.video_minutes + group.cleaning_minutes
    rounds, start, taken = [], group.starts_at, 0
    for number, size in enumerate(round_sizes(wearers, group.headsets_reserved), 1):
        end = start + timedelta(minutes=minutes)
        rounds.append(Round(number, start, end, size, wearing[taken:taken + size]))
        start, taken = end, taken + size
    rotation = Rotation(group.headsets_reserved, wearers, minutes, group.starts_at, rounds,
                        children, [])
    rotation.warnings = _warnings(group, rotation, limits)
    return rotation


def _warnings(group: VRSession, rotation: Rotation, limits: Limits) -> list[PlanWarning]:
    found = []
    if rotation.wearers and not rotation.headsets:
        found.append(PlanWarning("no_headsets", _("No headset is reserved: nobody can wear one.")))
    window = round((group.ends_at - group.starts_at).total_seconds() / 60)
    needed = len(rotation.rounds) * rotation.round_minutes
    if needed > window:
        found.append(PlanWarning("window_too_short", _(
            "The {rounds} rounds need {needed} min but the session lasts {window} min: "
            "reserve more headsets, shorten the rounds or lengthen the session.").format(
            rounds=len(rotation.rounds), needed=needed, window=window)))
    if rotation.rounds and needed > limits.battery_minutes:
        found.append(PlanWarning("battery", _(
            "The headsets would be in use for {needed} min in a row, more than a charge "
            "(about {battery} min): plan spare headsets or a charging break.").format(
            needed=needed, battery=limits.battery_minutes)))
    if rotation.rounds and group.video_minutes > limits.first_timer_minutes:
        found.append(PlanWarning("first_timer", _(
            "A first-timer would wear the headset for {video} min, more than the {cap} min "
            "allowed for a first immersion: shorten the video time.").format(
            video=group.video_minutes, cap=limits.first_timer_minutes)))
    children = len(rotation.children)
    if children:
        found.append(PlanWarning("under_13", ngettext(
            "%(num)d participant is under 13 and will not wear a headset: plan the non-VR "
            "activity for them throughout.",
            "%(num)d participants are under 13 and will not wear a headset: plan the non-VR "
            "activity for them throughout.", children) % {"num": children}))
    return found
