"""A centre's staff page: its headsets, its team and its coming group sessions."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from vr_booking.models import Centre, Headset, SessionKind, StaffCentre, StaffUser, VRSession


@dataclass
class CentreOverview:
    headsets: list[Headset]
    team: list[StaffUser]
    sessions: list[VRSession]


def centre_overview(session: Session, centre: Centre, now: datetime) -> CentreOverview:
    """The headsets based at a centre, the staff working there and its coming group sessions."""
    headsets = session.exec(select(Headset).where(Headset.home_centre_id == centre.id)
                            .order_by(Headset.asset_tag)).all()
    team = session.exec(
        select(StaffUser).join(StaffCentre, StaffCentre.staff_id == StaffUser.id)
        .where(StaffCentre.centre_id == centre.id).order_by(StaffUser.name)).all()
    sessions = session.exec(
        select(VRSession).where(VRSession.centre_id == centre.id,
                                VRSession.kind != SessionKind.open_access,
                                VRSession.ends_at >= now).order_by(VRSession.starts_at)).all()
    return CentreOverview(list(headsets), list(team), list(sessions))
