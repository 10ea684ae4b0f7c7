"""Staff accounts as managers and administrators handle them: the list, a new account (with
its invitation e-mail), role and centres, deactivation and reactivation, reset links.

Who may do what is :mod:`.permissions`; every change writes an audit row beside it.
Deactivating an account stops it at once: its sessions end (``session_version``), its API
tokens are revoked and its password links retired.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from vr_booking.i18n import _
from vr_booking.models import Centre, LinkPurpose, Role, StaffCentre, StaffUser
from vr_booking.services.access import centre_by_slug, visible_centre_ids
from vr_booking.services.admin import permissions
from vr_booking.services.admin.accounts import create_staff, record_staff_event, staff_problems
from vr_booking.services.admin.links import retire_links, send_link
from vr_booking.services.admin.tokens import revoke_all_tokens
from vr_booking.services.errors import Conflict, Forbidden, InvalidInput, NotFound


@dataclass
class StaffFilter:
    centre: str = ""
    role: str = ""
    active: bool | None = None


@dataclass
class StaffRow:
    user: StaffUser
    centres: list[Centre]
    can_manage: bool


def _centres_of(session: Session, staff_ids: list[int]) -> dict[int, list[Centre]]:
    found: dict[int, list[Centre]] = defaultdict(list)
    for staff_id, centre in session.exec(
            select(StaffCentre.staff_id, Centre)
            .join(Centre, col(Centre.id) == StaffCentre.centre_id)
            .where(col(StaffCentre.staff_id).in_(staff_ids)).order_by(Centre.name)):
        found[staff_id].append(centre)
    return found


def _may_manage(actor: StaffUser, user: StaffUser, centres: list[Centre],
                scope: set[int]) -> bool:
    """:func:`permissions.can_manage_staff` for rows whose centres are already read."""
    if actor.role == Role.admin:
        return True
    ids = {c.id for c in centres}
    return (permissions.RANK[user.role] <= permissions.RANK[actor.role]
            and bool(ids) and ids <= scope)


def list_staff(session: Session, actor: StaffUser, wanted: StaffFilter, *, limit: int = 100,
               offset: int = 0) -> tuple[list[StaffRow], int]:
    """Accounts working for the centres ``actor`` manages (all for admins), by name."""
    permissions.require_staff_manager(actor)
    scope = visible_centre_ids(session, actor)
    query = select(StaffUser)
    if actor.role != Role.admin:
        query = query.where(col(StaffUser.id).in_(
            select(StaffCentre.staff_id).where(col(StaffCentre.centre_id).in_(scope))))
    if wanted.centre:
        centre = centre_by_slug(session, wanted.centre)
        query = query.where(col(StaffUser.id).in_(
            select(StaffCentre.staff_id).where(StaffCentre.centre_id == centre.id)))
    if wanted.role:
        query = query.where(StaffUser.role == wanted.role)
    if wanted.active is not None:
        query = query.where(StaffUser.is_active == wanted.active)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    users = list(session.exec(query.order_by(StaffUser.name, StaffUser.id)
                              .offset(offset).limit(limit)))
    centres = _centres_of(session, [u.id for u in users])
    return [StaffRow(u, centres[u.id], _may_manage(actor, u, centres[u.id], scope))
            for u in users], total


def get_staff(session: Session, actor: StaffUser, staff_id: int) -> StaffRow:
    """One account, if ``actor`` manages staff and shares a centre with it (admins: any)."""
    permissions.require_staff_manager(actor)
    user = session.get(StaffUser, staff_id)
    if user is None:
        raise NotFound("unknown_staff", _("There is no such staff account."))
    centres = _centres_of(session, [user.id])[user.id]
    scope = visible_centre_ids(session, actor)
    if actor.role != Role.admin and not {c.id for c in centres} & scope:
        raise Forbidden("not_your_staff", _("This account belongs to centres you do not "
                                            "manage."))
    return StaffRow(user, centres, _may_manage(actor, user, centres, scope))


def assignable_centres(session: Session, actor: StaffUser) -> list[Centre]:
    """The active centres ``actor`` may put people in, by name."""
    query = select(Centre).where(col(Centre.is_active)).order_by(Centre.name)
    if actor.role != Role.admin:
        query = query.where(col(Centre.id).in_(visible_centre_ids(session, actor)))
    return list(session.exec(query))


def _centre_ids(session: Session, slugs: list[str]) -> set[int]:
    return set(session.exec(select(Centre.id).where(col(Centre.slug).in_(set(slugs)))))


def create_staff_member(session: Session, actor: StaffUser, *, email: str, name: str,
                        role: str, centre_slugs: list[str], now: datetime,
                        can_edit_catalogue: bool = False) -> StaffUser:
    """Create an account and e-mail its holder a link to choose a password."""
    permissions.require_staff_manager(actor)
    denied = permissions.grant_problems(session, actor, role, _centre_ids(session, centre_slugs))
    denied |= _catalogue_right_problem(actor, None, can_edit_catalogue)
    if denied:
        problems = staff_problems(email.strip().lower(), name.strip(), role,
                                  bool(centre_slugs)) | denied
        raise InvalidInput("invalid_staff", " ".join(problems.values()), problems)
    user = create_staff(session, email=email, name=name, role=role, centre_slugs=centre_slugs,
                        can_edit_catalogue=can_edit_catalogue)
    send_link(session, user, LinkPurpose.invitation, now, sender=actor)
    record_staff_event(session, actor, "staff.created", user,
                       f"{user.email}: {role} at {', '.join(sorted(centre_slugs)) or '-'}")
    return user


def update_staff(session: Session, actor: StaffUser, staff_id: int, *, name: str | None = None,
                 role: str | None = None, centre_slugs: list[str] | None = None,
                 can_edit_catalogue: bool | None = None) -> StaffUser:
    """Change an account's name, role, centres or catalogue right (``None``: unchanged)."""
    row = get_staff(session, actor, staff_id)
    user = row.user
    permissions.require_manages(session, actor, user)
    if role is not None and role != user.role:
        permissions.require_not_self(actor, user, _("You cannot change your own role."))
    name = user.name if name is None else name.strip()
    role = user.role if role is None else role
    slugs = [c.slug for c in row.centres] if centre_slugs is None else centre_slugs
    ids = _centre_ids(session, slugs)
    problems = staff_problems(user.email, name, role, bool(slugs))
    if len(ids) < len(set(slugs)):
        problems["centres"] = _("One of the chosen centres does not exist.")
    problems |= permissions.grant_problems(session, actor, role, ids)
    problems |= _catalogue_right_problem(actor, user, can_edit_catalogue)
    if problems:
        raise InvalidInput("invalid_staff", " ".join(problems.values()), problems)
    editor = user.can_edit_catalogue if can_edit_catalogue is None else can_edit_catalogue
    summary = "; ".join(part for part in (
        _changes(user, name, role, row.centres, slugs),
        f"catalogue right {'granted' if editor else 'withdrawn'}"
        if editor != user.can_edit_catalogue else "") if part)
    user.name, user.role, user.can_edit_catalogue = name, role, editor
    session.add(user)
    _set_centres(session, user, ids)
    if summary:
        record_staff_event(session, actor, "staff.updated", user, f"{user.email}: {summary}")
    return user


def _catalogue_right_problem(actor: StaffUser, user: StaffUser | None,
                             wanted: bool | None) -> dict[str, str]:
    """Only administrators give or withdraw the right to edit the network-wide catalogue."""
    current = user.can_edit_catalogue if user is not None else False
    if wanted is None or wanted == current or actor.role == Role.admin:
        return {}
    return {"can_edit_catalogue": _("Only administrators give or withdraw the right to edit "
                                    "the catalogue.")}


def _changes(user: StaffUser, name: str, role: str, centres: list[Centre],
             slugs: list[str]) -> str:
    before = sorted(c.slug for c in centres)
    parts = [f"name {user.name} → {name}" if name != user.name else "",
             f"role {user.role} → {role}" if role != user.role else "",
             f"centres {', '.join(before) or '-'} → {', '.join(sorted(set(slugs))) or '-'}"
             if before != sorted(set(slugs)) else ""]
    return "; ".join(p for p in parts if p)


def _set_centres(session: Session, user: StaffUser, ids: set[int]) -> None:
    for link in session.exec(select(StaffCentre).where(StaffCentre.staff_id == user.id)):
        if link.centre_id in ids:
            ids = ids - {link.centre_id}
        else:
            session.delete(link)
    session.add_all(StaffCentre(staff_id=user.id, centre_id=i) for i in ids)
    session.flush()


def _managed(session: Session, actor: StaffUser, staff_id: int) -> StaffUser:
    user = get_staff(session, actor, staff_id).user
    permissions.require_manages(session, actor, user)
    return user


def deactivate_staff(session: Session, actor: StaffUser, staff_id: int,
                     now: datetime) -> StaffUser:
    """Switch an account off at once: sessions end, tokens are revoked, links retired."""
    user = _managed(session, actor, staff_id)
    permissions.require_not_self(actor, user, _("You cannot deactivate your own account."))
    if not user.is_active:
        raise Conflict("already_inactive", _("This account is already deactivated."))
    user.is_active = False
    user.session_version += 1
    session.add(user)
    revoked = revoke_all_tokens(session, user, now)
    retire_links(session, user, now)
    record_staff_event(session, actor, "staff.deactivated", user,
                       f"{user.email}: deactivated, {revoked} API token(s) revoked")
    return user


def reactivate_staff(session: Session, actor: StaffUser, staff_id: int) -> StaffUser:
    user = _managed(session, actor, staff_id)
    if user.is_active:
        raise Conflict("already_active", _("This account is already active."))
    user.is_active = True
    session.add(user)
    record_staff_event(session, actor, "staff.reactivated", user, f"{user.email}: reactivated")
    return user


def send_password_link(session: Session, actor: StaffUser, staff_id: int,
                       now: datetime) -> StaffUser:
    """E-mail a reset link (an invitation again if no password was ever chosen)."""
    user = _managed(session, actor, staff_id)
    if not user.is_active:
        raise Conflict("inactive_account", _("Reactivate the account before sending it a "
                                             "link."))
    purpose = LinkPurpose.reset if user.password_hash else LinkPurpose.invitation
    send_link(session, user, purpose, now, sender=actor)
    record_staff_event(session, actor, "staff.link_sent", user,
                       f"{user.email}: {purpose} link sent")
    return user
