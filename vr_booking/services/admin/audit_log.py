"""Reading the audit trail (``models.AuditEvent``; writing it is ``services/audit.py``).

Administrators read every row; a manager reads the rows filed under the centres they manage;
facilitators read none. Filters: centre, person (who acted, by e-mail), kind (the part of an
action before its dot, e.g. ``staff``, or a whole action such as ``staff.created``) and a
period of days, in the filtered centre's time zone (UTC without a centre filter).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, func, or_, select

from vr_booking.i18n import _
from vr_booking.labels import N_
from vr_booking.models import AuditEvent, Centre, Role, StaffUser
from vr_booking.services.access import require_centre, visible_centre_ids
from vr_booking.services.admin.permissions import require_staff_manager
from vr_booking.services.errors import InvalidInput
from vr_booking.services.timeutil import local_to_utc

KINDS = {
    "staff": N_("Staff accounts"),
    "centre": N_("Centres"),
    "token": N_("API tokens"),
    "headset": N_("Headsets"),
    "open_access": N_("Open-access rules and closures"),
    "catalogue": N_("Catalogue"),
    "waitlist": N_("Waiting-list moves"),
    "loan": N_("Loans"),
    "group_session": N_("Group sessions"),
}
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


@dataclass
class AuditFilter:
    centre: str = ""
    person: str = ""
    kind: str = ""
    from_date: date | None = None
    to_date: date | None = None


@dataclass
class AuditRow:
    event: AuditEvent
    centre: Centre | None


def _period(wanted: AuditFilter, zone: str) -> tuple[datetime | None, datetime | None]:
    for day in (wanted.from_date, wanted.to_date):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput("bad_period", _("Give dates between 2000 and 2100."),
                               {"from": _("Give dates between 2000 and 2100.")})
    if wanted.from_date and wanted.to_date and wanted.from_date > wanted.to_date:
        raise InvalidInput("bad_period", _("The period ends before it starts."),
                           {"to": _("The period ends before it starts.")})
    start = local_to_utc(wanted.from_date, time(0), zone) if wanted.from_date else None
    end = (local_to_utc(wanted.to_date + timedelta(days=1), time(0), zone)
           if wanted.to_date else None)
    return start, end


def search_audit(session: Session, viewer: StaffUser, wanted: AuditFilter, *,
                 limit: int = 50, offset: int = 0) -> tuple[list[AuditRow], int]:
    """The rows ``viewer`` may read that match, newest first, and how many match."""
    require_staff_manager(viewer)
    query = select(AuditEvent)
    if viewer.role != Role.admin:
        query = query.where(col(AuditEvent.centre_id).in_(visible_centre_ids(session, viewer)))
    zone = "UTC"
    if wanted.centre:
        centre = require_centre(session, viewer, wanted.centre)
        query, zone = query.where(AuditEvent.centre_id == centre.id), centre.timezone
    if wanted.person:
        query = query.where(AuditEvent.actor_label == wanted.person.strip().lower())
    if wanted.kind:
        query = query.where(or_(AuditEvent.action == wanted.kind,
                                col(AuditEvent.action).startswith(wanted.kind + ".",
                                                                 autoescape=True)))
    start, end = _period(wanted, zone)
    if start:
        query = query.where(AuditEvent.at >= start)
    if end:
        query = query.where(AuditEvent.at < end)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    events = session.exec(query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
                          .offset(offset).limit(limit)).all()
    centres = {c.id: c for c in session.exec(select(Centre).where(
        col(Centre.id).in_({e.centre_id for e in events})))}
    return [AuditRow(e, centres.get(e.centre_id)) for e in events], total
