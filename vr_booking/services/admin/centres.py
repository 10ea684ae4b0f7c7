"""Centres as administrators keep them: create a hub or an associated centre, edit it,
deactivate it (refused while it holds future bookings, sessions or loans) or reactivate it.

Administrators change everything but the slug (it is in public addresses and API calls);
a centre's managers change its name, address, contact and opening notes for visitors.
Deactivation locks the centre (bookings and loans lock it too), so nothing can be booked
between the check and the change; it switches the centre's weekly rules off and cancels its
free future slots.
"""

import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from vr_booking.db import lock_centres
from vr_booking.i18n import _
from vr_booking.models import Centre, CentreKind, Role, StaffUser
from vr_booking.services.access import centre_by_slug, require_manager, visible_centre_ids
from vr_booking.services.admin.accounts import EMAIL_RE
from vr_booking.services.admin.centre_use import centre_commitments, retire_open_access
from vr_booking.services.admin.permissions import require_admin, require_staff_manager
from vr_booking.services.audit import record
from vr_booking.services.errors import Conflict, Forbidden, InvalidInput

SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
LIMITS = {"name": 120, "address": 200, "postcode": 16, "city": 80, "contact_email": 254,
          "phone": 32, "visitor_notes": 1000}
MANAGER_FIELDS = ("name", "address", "postcode", "city", "contact_email", "phone",
                  "visitor_notes")
ADMIN_FIELDS = (*MANAGER_FIELDS, "kind", "hub", "timezone")
FIELDS = ("slug", *ADMIN_FIELDS)


class CentreInUse(Conflict):
    """Deactivation refused; ``commitments`` lists what the centre still holds."""

    def __init__(self, commitments: list[str]) -> None:
        self.commitments = commitments
        super().__init__("centre_in_use", "\n".join(
            [_("This centre still has commitments:"), *commitments]))


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def centre_values(session: Session, centre: Centre) -> dict[str, str]:
    """A centre's values as its form and the API show them (``hub`` is a slug)."""
    hub = session.get(Centre, centre.hub_id) if centre.hub_id else None
    return {**{f: str(getattr(centre, f)) for f in FIELDS if f != "hub"},
            "hub": hub.slug if hub else ""}


def _clean(data: Mapping[str, Any]) -> dict[str, str]:
    return {f: data[f].strip() if isinstance(data[f], str) else "" for f in FIELDS if f in data}


def _problems(session: Session, values: dict[str, str], centre: Centre | None) -> dict[str, str]:
    problems = {f: _("At most {n} characters.").format(n=n)
                for f, n in LIMITS.items() if len(values[f]) > n}
    if not values["name"]:
        problems["name"] = _("Give the centre's name.")
    if centre is None and not SLUG_RE.fullmatch(values["slug"]):
        problems["slug"] = _("2 to 40 lower-case letters, digits or hyphens.")
    elif centre is None and session.exec(select(Centre).where(
            Centre.slug == values["slug"])).first():
        problems["slug"] = _("Another centre already has this slug.")
    if values["timezone"] not in time_zones():
        problems["timezone"] = _("Choose a time zone from the list (e.g. Europe/Paris).")
    if values["contact_email"] and not EMAIL_RE.fullmatch(values["contact_email"]):
        problems["contact_email"] = _("Give a valid e-mail address.")
    return problems | _kind_problems(session, values, centre)


def _kind_problems(session: Session, values: dict[str, str],
                   centre: Centre | None) -> dict[str, str]:
    if values["kind"] not in set(CentreKind):
        return {"kind": _("Choose hub or associated centre.")}
    if values["kind"] == CentreKind.hub:
        return {}
    if centre and session.exec(select(Centre.id).where(Centre.hub_id == centre.id)).first():
        return {"kind": _("This hub still leads associated centres.")}
    hub = session.exec(select(Centre).where(Centre.slug == values["hub"])).first()
    if hub is None or hub.kind != CentreKind.hub or not hub.is_active:
        return {"hub": _("Choose the active hub this centre belongs to.")}
    return {}


def _apply(session: Session, centre: Centre, values: dict[str, str]) -> Centre:
    for field in ADMIN_FIELDS:
        if field != "hub":
            setattr(centre, field, values[field])
    centre.hub_id = (None if values["kind"] == CentreKind.hub else
                     centre_by_slug(session, values["hub"]).id)
    return centre


def _invalid(problems: dict[str, str]) -> InvalidInput:
    return InvalidInput("invalid_centre", " ".join(problems.values()), problems)


def create_centre(session: Session, actor: StaffUser, data: Mapping[str, Any]) -> Centre:
    """Add a hub or an associated centre (administrators)."""
    require_admin(actor)
    values = dict.fromkeys(FIELDS, "") | {"kind": CentreKind.associated} | _clean(data)
    if not values["timezone"] and values["kind"] == CentreKind.associated:
        hub = session.exec(select(Centre).where(Centre.slug == values["hub"])).first()
        values["timezone"] = hub.timezone if hub else ""  # an associated centre: its hub's
    problems = _problems(session, values, None)
    if problems:
        raise _invalid(problems)
    centre = _apply(session, Centre(slug=values["slug"], name=values["name"]), values)
    try:
        with session.begin_nested():  # the same slug taken meanwhile by another request
            session.add(centre)
    except IntegrityError:
        raise _invalid({"slug": _("Another centre already has this slug.")}) from None
    record(session, actor, "centre.created", centre_id=centre.id, subject_type="centre",
           subject_id=centre.slug, summary=f"{centre.kind} {centre.name}")
    return centre


def editable_fields(session: Session, actor: StaffUser, centre: Centre) -> tuple[str, ...]:
    """The fields ``actor`` may change on this centre (403 if none)."""
    require_staff_manager(actor)
    if actor.role == Role.admin:
        return ADMIN_FIELDS
    require_manager(session, actor, centre.id)
    return MANAGER_FIELDS


def update_centre(session: Session, actor: StaffUser, slug: str,
                  data: Mapping[str, Any]) -> Centre:
    """Change the given fields of a centre; the others keep their values."""
    centre = centre_by_slug(session, slug)
    allowed = editable_fields(session, actor, centre)
    before = centre_values(session, centre)
    changes = {f: v for f, v in _clean(data).items() if f != "slug" and v != before[f]}
    if set(changes) - set(allowed):
        raise Forbidden("admins_only", _("Only administrators change a centre's kind, hub or "
                                         "time zone."))
    values = before | changes
    problems = _problems(session, values, centre)
    if problems:
        raise _invalid(problems)
    _apply(session, centre, values)
    session.add(centre)
    session.flush()
    if changes:
        record(session, actor, "centre.updated", centre_id=centre.id, subject_type="centre",
               subject_id=centre.slug, summary="; ".join(
                   f"{f} {before[f]!r} → {v!r}"[:160] for f, v in changes.items()))
    return centre


def deactivate_centre(session: Session, actor: StaffUser, slug: str, now: datetime) -> Centre:
    """Switch a centre off, unless it still holds bookings, sessions, loans or centres."""
    require_admin(actor)
    centre = centre_by_slug(session, slug)
    if not centre.is_active:
        raise Conflict("already_inactive", _("This centre is already deactivated."))
    lock_centres(session, [centre.id])
    commitments = centre_commitments(session, centre, now)
    if commitments:
        raise CentreInUse(commitments)
    centre.is_active = False
    session.add(centre)
    cancelled = retire_open_access(session, centre, now)
    record(session, actor, "centre.deactivated", centre_id=centre.id, subject_type="centre",
           subject_id=centre.slug, summary=f"{centre.name}: deactivated, {cancelled} free "
           "open-access slot(s) cancelled")
    return centre


def reactivate_centre(session: Session, actor: StaffUser, slug: str) -> Centre:
    """Switch a centre back on (its weekly rules stay off until a manager turns them on)."""
    require_admin(actor)
    centre = centre_by_slug(session, slug)
    if centre.is_active:
        raise Conflict("already_active", _("This centre is already active."))
    hub = session.get(Centre, centre.hub_id) if centre.hub_id else None
    if hub is not None and not hub.is_active:
        raise Conflict("hub_inactive", _("Reactivate its hub first."))
    centre.is_active = True
    session.add(centre)
    session.flush()
    record(session, actor, "centre.reactivated", centre_id=centre.id, subject_type="centre",
           subject_id=centre.slug, summary=f"{centre.name}: reactivated")
    return centre


def centres_for(session: Session, actor: StaffUser) -> list[Centre]:
    """The centres ``actor`` may open here: all for administrators, managed ones otherwise."""
    require_staff_manager(actor)
    query = select(Centre).order_by(col(Centre.is_active).desc(), Centre.name)
    if actor.role != Role.admin:
        query = query.where(col(Centre.id).in_(visible_centre_ids(session, actor)))
    return list(session.exec(query))


def active_hubs(session: Session) -> list[Centre]:
    """The hubs an associated centre may belong to, by name."""
    return list(session.exec(select(Centre).where(Centre.kind == CentreKind.hub,
                                                  col(Centre.is_active)).order_by(Centre.name)))
