"""Open-access bookings: book, cancel, change slot, with the waiting list.

Every write here takes a booking's locks (:func:`vr_booking.db.lock_slots`: the centre
shared, the slot and the slots overlapping it exclusively; then the person's,
:func:`vr_booking.db.lock_people`) and only then counts seats, so confirmed bookings never
exceed capacity, even with many workers, while bookings of other slots go on alongside.
A booking of a slot found full a moment ago is first asked, from what is committed and
without waiting for any lock (:func:`vr_booking.db.committed_reads`), whether it would be
refused (full, closed, over a person's limit).
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from pydantic import BaseModel, Field
from sqlalchemy import Select, bindparam
from sqlmodel import Session, col, func, select

from vr_booking.config import settings_for
from vr_booking.db import committed_reads, lock_slots
from vr_booking.i18n import _
from vr_booking.models import (
    ACTIVE,
    Booking,
    BookingJob,
    BookingStatus,
    Centre,
    Job,
    OpenAccessRule,
    SessionKind,
    SessionStatus,
    VRSession,
)
from vr_booking.services.errors import Conflict, InvalidInput, NotFound
from vr_booking.services.open_access import full_slots
from vr_booking.services.open_access.capacity import SlotLoad, slot_load
from vr_booking.services.open_access.limits import (
    address_key,
    check_person_limits,
    refuse_over_limits,
)
from vr_booking.services.open_access.mail import notify_booking_change
from vr_booking.services.open_access.tickets import new_code, new_token
from vr_booking.services.open_access.waitlist import rebalance

MAX_JOBS = 3
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class BookingInput(BaseModel):
    """What a visitor sends; checked by :func:`check_input`, not by pydantic alone, so that
    every problem gets a clear message next to its field."""

    slot_id: int
    name: str = Field(default="", max_length=500)
    email: str | None = Field(default=None, max_length=500)
    age_confirmed: bool = False
    health_ack: bool = False
    job_ids: list[int] = Field(default_factory=list, max_length=20)
    language: str = "fr"


@dataclass
class BookingResult:
    booking: Booking
    slot: VRSession
    centre: Centre


def check_input(session: Session, data: BookingInput) -> dict[str, str]:
    """Field → message for every problem (empty when the input is fine)."""
    problems: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        problems["name"] = _("Please give a first name or a nickname.")
    elif len(name) > 80 or any(ord(c) < 32 for c in name):
        problems["name"] = _("The name must be at most 80 ordinary characters.")
    email = (data.email or "").strip()
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        problems["email"] = _("This e-mail address does not look right (example: "
                              "name@example.org). You can also leave it empty.")
    if not data.age_confirmed:
        problems["age_confirmed"] = _("Headsets are for people aged 13 or older: please "
                                      "confirm your age.")
    if not data.health_ack:
        problems["health_ack"] = _("Please read and acknowledge the health warning.")
    problems.update(_check_jobs(session, data.job_ids))
    return problems


def _check_jobs(session: Session, job_ids: list[int]) -> dict[str, str]:
    if len(set(job_ids)) > MAX_JOBS:
        return {"job_ids": _("Choose at most 3 jobs.")}
    found = session.exec(select(func.count()).select_from(Job).where(
        col(Job.id).in_(set(job_ids)), col(Job.is_active))).one() if job_ids else 0
    if found != len(set(job_ids)):
        return {"job_ids": _("One of the chosen jobs is not in the catalogue.")}
    return {}


def browser_key_hash(key: str | None) -> str | None:
    return hashlib.sha256(key.encode()).hexdigest() if key else None


def _bookable_slot(session: Session, slot_id: int,
                   now: datetime) -> tuple[VRSession, Centre, OpenAccessRule | None]:
    """The slot, its centre and its rule, fresh from the database in one statement (held by
    the caller, the seat count finds them in the session); refuses a slot that is not open
    for booking."""
    found = session.exec(_slot_centre_rule(), params={"slot_id": slot_id}).first()
    if found is None or found[0].kind != SessionKind.open_access:
        raise NotFound("unknown_slot", _("This session does not exist."),
                       {"slot_id": _("This session does not exist.")})
    if found[0].status != SessionStatus.planned or found[0].starts_at <= now:
        raise Conflict("slot_closed", _("This session can no longer be booked."))
    return found


@cache
def _slot_centre_rule() -> Select:
    """A slot with its centre and its rule (``:slot_id``), fresh from the database."""
    return (select(VRSession, Centre, OpenAccessRule)
            .join(Centre, col(Centre.id) == VRSession.centre_id)
            .outerjoin(OpenAccessRule, col(OpenAccessRule.id) == VRSession.rule_id)
            .where(VRSession.id == bindparam("slot_id"))
            .execution_options(populate_existing=True))


def create_booking(session: Session, data: BookingInput, now: datetime,
                   browser_key: str | None = None, address: str | None = None) -> BookingResult:
    """Book a seat, or a place on the waiting list when the slot is full.

    A slot found full a moment ago is first asked, without locks, whether this booking
    would be refused (:func:`_refuse_without_locks`); then, or at once, the locked checks.
    """
    email = (data.email or "").strip() or None
    key = browser_key_hash(browser_key)
    with committed_reads(session) as reader:
        problems = check_input(reader, data)
        if problems:
            raise InvalidInput("invalid_booking", " ".join(problems.values()), problems)
        where_from = address_key(reader, address)
        if full_slots.seems_full(data.slot_id):
            _refuse_without_locks(reader, data.slot_id, email, key, where_from, now)
    lock_slots(session, [data.slot_id])
    slot, centre, _rule = _bookable_slot(session, data.slot_id, now)
    check_person_limits(session, slot, email, key, now, None, where_from)
    status = _seat_or_waiting_list(session, slot_load(session, slot))
    booking = Booking(
        session_id=slot.id, token=new_token(), short_code=new_code(session),
        status=status, name=data.name.strip(), email=email,
        language=data.language if data.language in ("fr", "en") else "fr",
        age_confirmed=True, health_ack_at=now, browser_key=key, address_key=where_from,
        created_at=now,
    )
    session.add(booking)
    session.flush()
    session.add_all(BookingJob(booking_id=booking.id, job_id=j) for j in set(data.job_ids))
    notify_booking_change(session, booking, status)
    session.flush()
    return BookingResult(booking, slot, centre)


def _refuse_without_locks(session: Session, slot_id: int, email: str | None,
                          key: str | None, where_from: str | None, now: datetime) -> None:
    """Refuse, from what is committed now, a booking that the locked checks would refuse.

    In a rush most visitors arrive once the slot and its waiting list are full; each of
    them used to queue for the slot's lock (PostgreSQL) or the database's write lock
    (SQLite) only to be told so. The refusal read here is as true as one read under the
    lock, a moment earlier; nothing is written, and whatever passes is checked again under
    the locks. Same checks, same order, so the same answer. Asked only of slots this
    process found full a moment ago (:mod:`.full_slots`): elsewhere they would cost an
    accepted booking a second look for nothing.
    """
    slot, _centre, _rule = _bookable_slot(session, slot_id, now)
    refuse_over_limits(session, slot, email, key, now, None, where_from)
    _seat_or_waiting_list(session, slot_load(session, slot))


def _seat_or_waiting_list(session: Session, load: SlotLoad) -> str:
    """A seat while there is one, else a place on the waiting list while there is one (and
    the process's hint of full slots follows what was found)."""
    if load.confirmed < load.capacity:
        full_slots.found_room(load.slot.id)
        return BookingStatus.confirmed
    if load.waitlisted < settings_for(session).waitlist_size:
        full_slots.found_room(load.slot.id)
        return BookingStatus.waitlisted
    full_slots.found_full(load.slot.id)
    raise Conflict("slot_full", _("This session is full and so is its waiting list. "
                                  "Please choose another one."))


def get_booking(session: Session, token: str) -> BookingResult:
    booking = session.exec(select(Booking).where(Booking.token == token)).first()
    if booking is None:
        raise NotFound("unknown_booking", _("We could not find this booking. Check the link "
                                            "in your e-mail."))
    slot = session.get(VRSession, booking.session_id)
    return BookingResult(booking, slot, session.get(Centre, slot.centre_id))


def can_change(found: BookingResult, now: datetime) -> bool:
    """Whether the visitor may still cancel or move this booking online (the same test as
    :func:`cancel_booking` and :func:`change_booking` apply under their lock)."""
    return found.booking.status in ACTIVE and found.slot.starts_at > now


def booked_jobs(session: Session, booking: Booking) -> list[Job]:
    """The jobs the visitor said they were interested in when booking."""
    return list(session.exec(select(Job).join(BookingJob, col(BookingJob.job_id) == Job.id)
                             .where(BookingJob.booking_id == booking.id)).all())


def _locked_booking(session: Session, token: str) -> BookingResult:
    found = get_booking(session, token)
    lock_slots(session, [found.slot.id])
    session.refresh(found.booking)
    session.refresh(found.slot)
    return found


def cancel_booking(session: Session, token: str, now: datetime) -> BookingResult:
    """Cancel (idempotent); a freed seat goes to the first person waiting."""
    found = _locked_booking(session, token)
    booking = found.booking
    if booking.status == BookingStatus.cancelled:
        return found
    if not can_change(found, now):
        raise Conflict("too_late", _("This booking can no longer be cancelled online; "
                                     "please tell the desk."))
    booking.status = BookingStatus.cancelled
    booking.cancelled_at = now
    session.add(booking)
    session.flush()
    notify_booking_change(session, booking, "cancelled")
    rebalance(session, slot_load(session, found.slot), now, notify_booking_change)
    return found


def change_booking(session: Session, token: str, new_slot_id: int,
                   now: datetime) -> BookingResult:
    """Move a booking to another slot; the old seat is released only if a new one is taken."""
    found = get_booking(session, token)
    if session.get(VRSession, new_slot_id) is None:
        raise NotFound("unknown_slot", _("This session does not exist."))
    lock_slots(session, [found.slot.id, new_slot_id])
    session.refresh(found.booking)
    booking, old_slot = found.booking, found.slot
    if not can_change(found, now):
        raise Conflict("too_late", _("This booking can no longer be changed online."))
    new_slot, new_centre, _rule = _bookable_slot(session, new_slot_id, now)
    if new_slot.id == old_slot.id:
        return found
    check_person_limits(session, new_slot, booking.email, booking.browser_key, now,
                        booking.id, booking.address_key)
    load = slot_load(session, new_slot)
    if load.confirmed >= load.capacity:
        raise Conflict("slot_full", _("That session has no free seat: your booking was not "
                                      "changed."))
    booking.session_id = new_slot.id
    booking.status, booking.offer_expires_at = BookingStatus.confirmed, None
    session.add(booking)
    session.flush()
    notify_booking_change(session, booking, "changed")
    rebalance(session, slot_load(session, old_slot), now, notify_booking_change)
    return BookingResult(booking, new_slot, new_centre)

