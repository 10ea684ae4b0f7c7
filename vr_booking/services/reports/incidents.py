"""Incidents by kind, per centre: at the session's centre, or the headset's home centre for an
incident logged without a session (a headset found damaged between sessions)."""

from collections import Counter, defaultdict

from sqlmodel import Session, col, func, select

from vr_booking.models import Headset, Incident, VRSession
from vr_booking.services.reports.scope import Period, Scope, within


def incidents_by_kind(session: Session, scope: Scope, period: Period) -> dict[int, Counter[str]]:
    """Centre id → incident kind → count, in one SQL statement."""
    centre_id = func.coalesce(VRSession.centre_id, Headset.home_centre_id)
    rows = session.exec(
        select(centre_id, Incident.kind, func.count())
        .select_from(Incident)
        .outerjoin(VRSession, col(VRSession.id) == Incident.session_id)
        .outerjoin(Headset, col(Headset.id) == Incident.headset_id)
        .where(within(Incident.occurred_at, centre_id, scope, period))
        .group_by(centre_id, Incident.kind)
    ).all()
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for centre, kind, n in rows:
        counts[centre][kind] = n
    return counts
