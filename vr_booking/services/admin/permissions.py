"""Who may manage whom: staff accounts, centres and other people's tokens.

- Administrators manage every account and every centre.
- A manager manages the staff of the centres they manage (``access.visible_centre_ids``: a
  hub's manager, the hub and the associated centres it leads; an associated centre's manager,
  that centre), never above their own role, and only people who work nowhere else.
- Facilitators manage nobody; everyone manages their own API tokens.
- Nobody changes their own role or deactivates themselves (an administrator cannot lock the
  installation out by mistake).
"""

from sqlmodel import Session, select

from vr_booking.i18n import _
from vr_booking.models import Role, StaffCentre, StaffUser
from vr_booking.services.access import is_manager, visible_centre_ids
from vr_booking.services.errors import Forbidden

RANK = {Role.facilitator: 0, Role.manager: 1, Role.admin: 2}


def staff_centre_ids(session: Session, user: StaffUser) -> set[int]:
    """The centres an account works for."""
    return set(session.exec(select(StaffCentre.centre_id)
                            .where(StaffCentre.staff_id == user.id)))


def require_staff_manager(actor: StaffUser) -> None:
    """Refuse facilitators: they manage no account."""
    if not is_manager(actor):
        raise Forbidden("managers_only", _("Only managers and administrators manage staff "
                                           "accounts."))


def require_admin(actor: StaffUser) -> None:
    if actor.role != Role.admin:
        raise Forbidden("admins_only", _("Only administrators can do this."))


def grantable_roles(actor: StaffUser) -> list[str]:
    """The roles this person may give: their own and those below."""
    return [role for role, rank in RANK.items() if rank <= RANK.get(actor.role, -1)]


def can_manage_staff(session: Session, actor: StaffUser, target: StaffUser) -> bool:
    """May ``actor`` edit, deactivate or send a link to ``target``?"""
    if actor.role == Role.admin:
        return True
    if not is_manager(actor) or RANK[target.role] > RANK[actor.role]:
        return False
    centres = staff_centre_ids(session, target)
    return bool(centres) and centres <= visible_centre_ids(session, actor)


def require_manages(session: Session, actor: StaffUser, target: StaffUser) -> None:
    require_staff_manager(actor)
    if not can_manage_staff(session, actor, target):
        raise Forbidden("not_your_staff", _("This account belongs to centres you do not "
                                            "manage."))


def require_not_self(actor: StaffUser, target: StaffUser, message: str) -> None:
    if actor.id == target.id:
        raise Forbidden("own_account", message)


def grant_problems(session: Session, actor: StaffUser, role: str,
                   centre_ids: set[int]) -> dict[str, str]:
    """Field → message when ``actor`` may not give this role or these centres."""
    problems = {}
    if role in RANK and role not in grantable_roles(actor):
        problems["role"] = _("You cannot give a role above your own.")
    if actor.role != Role.admin and not centre_ids <= visible_centre_ids(session, actor):
        problems["centres"] = _("You can only choose centres you manage.")
    return problems
