"""Who may see and change what: the centres a staff member works for, and who manages.

Every capability asks here, so that "a manager of this centre" means the same thing on every
page and in the API.
"""

from typing import Any

from sqlalchemy import Row, Select
from sqlmodel import Session, col, select

from vr_booking.i18n import _
from vr_booking.models import Centre, Role, StaffCentre, StaffUser
from vr_booking.services.errors import Forbidden, NotFound

MANAGING_ROLES = (Role.manager, Role.admin)


def is_manager(user: StaffUser) -> bool:
    """Managers and administrators plan, edit and lend; facilitators run the day."""
    return user.role in MANAGING_ROLES


def centre_by_slug(session: Session, slug: str) -> Centre:
    centre = session.exec(select(Centre).where(Centre.slug == slug)).first()
    if centre is None:
        raise NotFound("unknown_centre", _("No centre {slug!r}.").format(slug=slug))
    return centre


def visible_centre_ids(session: Session, user: StaffUser) -> set[int]:
    """Centres whose staff pages this user may see.

    Admins see every centre. Everyone sees the centres they work for; a manager of a hub also
    sees (and manages) the associated centres that hub leads, since the hub lends them its
    headsets and looks after their staff.
    """
    if user.role == Role.admin:
        return set(session.exec(select(Centre.id)).all())
    own = set(session.exec(select(StaffCentre.centre_id).where(StaffCentre.staff_id == user.id)))
    if not is_manager(user) or not own:
        return own
    led = session.exec(select(Centre.id).where(col(Centre.hub_id).in_(own))).all()
    return own | set(led)


def sees_centre(session: Session, user: StaffUser, centre_id: int) -> bool:
    """Whether this user may see the centre's staff pages: :func:`visible_centre_ids`
    asked of one centre, without reading every centre's id for an admin (a write of one
    centre read the whole network's)."""
    return user.role == Role.admin or centre_id in visible_centre_ids(session, user)


def visible_centres(session: Session, user: StaffUser) -> list[Centre]:
    """The centres this user may see, by name (an admin's without a list of every id: one
    parameter a centre was most of the cost of this query on a network)."""
    return list(session.exec(_visible(session, user, select(Centre).order_by(Centre.name))))


def visible_centre_rows(session: Session, user: StaffUser, *columns: Any) -> list[Row]:
    """:func:`visible_centres` as rows of some of their columns, for a page reading a few
    attributes of hundreds of centres (loading a network's 360 as objects took 3 ms)."""
    return list(session.exec(_visible(session, user, select(*columns).order_by(Centre.name))))


def _visible(session: Session, user: StaffUser, query: Select) -> Select:
    if user.role != Role.admin:
        query = query.where(col(Centre.id).in_(visible_centre_ids(session, user)))
    return query


def require_centre(session: Session, user: StaffUser, slug: str) -> Centre:
    """The centre if this user works for it; 404 when unknown, 403 when not theirs."""
    centre = centre_by_slug(session, slug)
    if not sees_centre(session, user, centre.id):
        raise Forbidden("not_your_centre", _("This page belongs to another centre."))
    return centre


def can_manage(session: Session, user: StaffUser, centre_id: int) -> bool:
    """Managers of that centre and admins may change what the centre offers."""
    return is_manager(user) and sees_centre(session, user, centre_id)


def require_manager(session: Session, user: StaffUser, centre_id: int) -> None:
    """Refuse unless this user manages the centre."""
    if not can_manage(session, user, centre_id):
        raise Forbidden("managers_only", _("Only the centre's managers can do this."))


def require_managed_centre(session: Session, user: StaffUser, slug: str) -> Centre:
    """The centre if this user manages it; 404 when unknown, 403 otherwise."""
    centre = require_centre(session, user, slug)
    require_manager(session, user, centre.id)
    return centre


def require_admin(user: StaffUser) -> None:
    """Refuse unless this user is an administrator (installation-wide pages)."""
    if user.role != Role.admin:
        raise Forbidden("admins_only", _("Only administrators can see this page."))
