"""The limits on what one person or one connection may hold: one seat a slot, a few
upcoming bookings a person (by e-mail or browser), a cap a client address.

A booking counts them after :func:`vr_booking.db.lock_people`, so that a person's bookings
of different slots, made at once, still respect them.
"""

from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, or_
from sqlmodel import Session, col, func, select

from vr_booking.addresses import in_networks
from vr_booking.config import settings_for
from vr_booking.db import lock_people
from vr_booking.i18n import _
from vr_booking.models import ACTIVE, Booking, VRSession
from vr_booking.services.errors import Conflict
from vr_booking.services.throttle import counter_key


def address_key(session: Session, address: str | None) -> str | None:
    """The keyed hash a booking keeps of its client address; None for the addresses exempt
    from the cap (the centre's own kiosk), which therefore never count."""
    settings = settings_for(session)
    if not address or in_networks(address, settings.booking_cap_exempt_addresses):
        return None
    return counter_key(session, "address", address)


def _check_address_cap(session: Session, address: str | None, now: datetime,
                       exclude_id: int | None) -> None:
    """A script without e-mail or cookie booked 20 seats in a minute: cap what one client
    address holds (a family booking together stays well under it)."""
    cap = settings_for(session).max_upcoming_bookings_per_address
    if not address or not cap:
        return
    held = session.exec(
        select(func.count()).select_from(Booking)
        .join(VRSession, col(VRSession.id) == Booking.session_id)
        .where(Booking.address_key == address, col(Booking.status).in_(ACTIVE),
               VRSession.starts_at > now, Booking.id != (exclude_id or -1))).one()
    if held >= cap:
        raise Conflict("too_many_from_address", _(
            "Too many upcoming bookings were made from your connection. Cancel one, or ask "
            "the centre's desk."))


def check_person_limits(session: Session, slot: VRSession, email: str | None,
                        browser_key: str | None, now: datetime, exclude_id: int | None,
                        address: str | None = None) -> None:
    """Lock the person's bookings (e-mail, browser, and address when capped), then refuse
    what would pass a limit: a second seat in ``slot``, one booking too many."""
    people_keys = [f"email:{email.lower()}" if email else None,
                   f"browser:{browser_key}" if browser_key else None]
    if address and settings_for(session).max_upcoming_bookings_per_address:
        people_keys.append(f"address:{address}")  # one school's network: only if capped
    lock_people(session, people_keys)
    refuse_over_limits(session, slot, email, browser_key, now, exclude_id, address)


def refuse_over_limits(session: Session, slot: VRSession, email: str | None,
                       browser_key: str | None, now: datetime, exclude_id: int | None,
                       address: str | None = None) -> None:
    """The checks of :func:`check_person_limits`, without its lock: a refusal is true of
    what is committed now; a pass must be checked again under the lock before writing."""
    _check_address_cap(session, address, now, exclude_id)
    if not email and not browser_key:
        return
    mine = session.exec(_held_by_person(bool(email), bool(browser_key)), params={
        "email": (email or "").lower(), "browser_key": browser_key, "now": now,
        "exclude_id": exclude_id or -1}).all()
    if slot.id in mine:
        raise Conflict("already_booked", _("You already have a booking for this session."))
    limit = settings_for(session).max_upcoming_bookings
    if len(mine) >= limit:
        raise Conflict("too_many_bookings", _(
            "You already have {n} upcoming bookings, the most one person may hold. Cancel one "
            "first.").format(n=len(mine)))


@cache
def _held_by_person(by_email: bool, by_browser: bool) -> Select:
    """The slots of a person's active upcoming bookings, by lower-cased ``:email`` and/or
    ``:browser_key``, after ``:now``, leaving out booking ``:exclude_id``."""
    people = []
    if by_email:
        people.append(func.lower(Booking.email) == bindparam("email"))
    if by_browser:
        people.append(Booking.browser_key == bindparam("browser_key"))
    return (select(Booking.session_id).join(VRSession, col(VRSession.id) == Booking.session_id)
            .where(or_(*people), col(Booking.status).in_(ACTIVE),
                   VRSession.starts_at > bindparam("now"),
                   Booking.id != bindparam("exclude_id")))
