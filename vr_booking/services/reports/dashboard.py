"""The dashboard: every figure of a scope and period, per centre and in total.

About twenty SQL statements whatever the size of the network or of its history: each figure
is an aggregate grouped by centre, and the total is the sum of the centres' rows.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from vr_booking.models import IncidentKind, SessionKind
from vr_booking.services.reports.activity import People, people_served, sessions_by_kind
from vr_booking.services.reports.answers import Answers, Comment, survey_figures
from vr_booking.services.reports.incidents import incidents_by_kind
from vr_booking.services.reports.scope import Period, ReportCentre, Scope
from vr_booking.services.reports.utilisation import HeadsetUsage, Usage, headset_utilisation
from vr_booking.services.reports.watching import Watched, videos_watched


@dataclass
class Figures:
    """The figures of one centre, or of the whole scope (``centre`` None)."""

    centre: ReportCentre | None = None
    sessions: Counter[str] = field(default_factory=Counter)
    people: People = field(default_factory=People)
    usage: Usage = field(default_factory=Usage)
    answers: Answers = field(default_factory=Answers)
    incidents: Counter[str] = field(default_factory=Counter)

    def add(self, other: "Figures") -> None:
        """Add a centre's figures (a network adds hundreds: empty counters are skipped)."""
        if other.sessions:
            self.sessions.update(other.sessions)
        self.people.add(other.people)
        self.usage.add(other.usage.used_seconds, other.usage.available_seconds)
        self.answers.add(other.answers)
        if other.incidents:
            self.incidents.update(other.incidents)


@dataclass
class Dashboard:
    scope: Scope
    period: Period
    total: Figures
    centres: list[Figures]  # by centre name
    headsets: list[HeadsetUsage]  # empty when not asked for (see build_dashboard)
    headset_count: int
    watched: Watched
    interests: list[tuple[str, str, int]]
    comments: list[Comment]


def build_dashboard(session: Session, scope: Scope, period: Period, now: datetime,
                    headsets: bool = True) -> Dashboard:
    """Every figure of the dashboard for ``scope`` during ``period``; without ``headsets``,
    only how many headsets have a row, not the rows (what a network's page shows)."""
    sessions = sessions_by_kind(session, scope, period, now)
    people = people_served(session, scope, period, now)
    usage = headset_utilisation(session, scope, period, now, per_headset=headsets)
    survey = survey_figures(session, scope, period)
    incidents = incidents_by_kind(session, scope, period)
    centres = [Figures(centre, sessions.get(centre.id) or Counter(),
                       people.get(centre.id) or People(), usage.by_centre[centre.id],
                       survey.by_centre.get(centre.id) or Answers(),
                       incidents.get(centre.id) or Counter())
               for centre in scope.centres]
    total = Figures()
    for figures in centres:
        total.add(figures)
    return Dashboard(scope, period, total, centres, usage.by_headset, usage.headset_count,
                     videos_watched(session, scope, period, now), survey.interests,
                     survey.comments)


def named_figures(figures: Figures) -> dict[str, dict[str, Any]]:
    """The figures under their public names (``people.booked``, ``survey.learned_pct``…),
    shared by the JSON API and the CSV of all figures."""
    p, u, a = figures.people, figures.usage, figures.answers
    return {
        "sessions": {**{kind.value: figures.sessions[kind] for kind in SessionKind},
                     "total": sum(figures.sessions.values())},
        "people": {"booked": p.booked, "checked_in": p.checked_in, "no_show": p.no_show,
                   "walk_ins": p.walk_ins, "group_participants": p.group_participants,
                   "served": p.served, "no_show_pct": p.no_show_pct},
        "utilisation": {"hours_used": u.hours_used, "hours_available": u.hours_available,
                        "pct": u.pct},
        "survey": {"answers": a.answers, "learned_pct": a.learned_pct,
                   "go_further_pct": a.go_further_pct, "discomfort_pct": a.discomfort_pct,
                   "average_rating": a.average_rating, "ratings": a.ratings},
        "incidents": {**{kind.value: figures.incidents[kind] for kind in IncidentKind},
                      "total": sum(figures.incidents.values())},
    }


def flat_figures(figures: Figures) -> list[tuple[str, Any]]:
    """(``group.name``, value) of every named figure, in order."""
    return [(f"{group}.{name}", value) for group, values in named_figures(figures).items()
            for name, value in values.items()]
