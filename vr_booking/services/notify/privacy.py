"""A visitor's own data: what is stored about their booking (downloadable as JSON), and
erasing it from the ticket page at any time.

Erasure keeps the booking as an anonymous count (its session, status and dates), and its
ticket stays valid: its QR code and short code still work at the desk. Name, e-mail address
and browser key go, with every e-mail about the booking.
"""

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from vr_booking.db import lock_centres
from vr_booking.models import (
    Feedback,
    Headset,
    HeadsetUse,
    Incident,
    OutboxMessage,
)
from vr_booking.services.audit import record
from vr_booking.services.notify.retention import erase_bookings
from vr_booking.services.open_access.booking import BookingResult, booked_jobs, get_booking
from vr_booking.services.open_access.tickets import format_code


class StoredBooking(BaseModel):
    ticket_code: str
    status: str
    name: str
    email: str | None
    language: str
    age_confirmed: bool
    health_warning_acknowledged_at: datetime | None
    has_browser_key: bool
    created_at: datetime
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    offer_expires_at: datetime | None
    offer_lapsed_at: datetime | None
    erased_at: datetime | None


class StoredSession(BaseModel):
    centre: str
    centre_name: str
    starts_at: datetime
    ends_at: datetime


class StoredEmail(BaseModel):
    to: str
    subject: str
    body: str
    queued_at: datetime
    sent_at: datetime | None


class StoredHeadsetUse(BaseModel):
    headset: str
    started_at: datetime
    returned_at: datetime | None


class StoredIncident(BaseModel):
    kind: str
    note: str
    occurred_at: datetime


class StoredFeedback(BaseModel):
    rating: int
    found_what_looked_for: bool | None
    created_at: datetime


class BookingData(BaseModel):
    """Everything stored about one booking, as its holder downloads it."""

    booking: StoredBooking
    session: StoredSession
    jobs_chosen: list[str]
    emails: list[StoredEmail]
    headset_uses: list[StoredHeadsetUse]
    incidents: list[StoredIncident]
    feedback: StoredFeedback | None


def booking_data(session: Session, token: str) -> BookingData:
    """What is stored about the booking with this token."""
    found = get_booking(session, token)
    booking, slot, centre = found.booking, found.slot, found.centre
    feedback = session.exec(select(Feedback).where(Feedback.booking_id == booking.id)).first()
    return BookingData(
        booking=StoredBooking(
            ticket_code=format_code(booking.short_code), status=booking.status,
            name=booking.name, email=booking.email, language=booking.language,
            age_confirmed=booking.age_confirmed,
            health_warning_acknowledged_at=booking.health_ack_at,
            has_browser_key=booking.browser_key is not None, created_at=booking.created_at,
            cancelled_at=booking.cancelled_at, checked_in_at=booking.checked_in_at,
            offer_expires_at=booking.offer_expires_at, offer_lapsed_at=booking.offer_lapsed_at,
            erased_at=booking.erased_at),
        session=StoredSession(centre=centre.slug, centre_name=centre.name,
                              starts_at=slot.starts_at, ends_at=slot.ends_at),
        jobs_chosen=[job.title for job in booked_jobs(session, booking)],
        emails=[StoredEmail(to=m.to_address, subject=m.subject, body=m.body_text,
                            queued_at=m.created_at, sent_at=m.sent_at)
                for m in session.exec(select(OutboxMessage).where(
                    OutboxMessage.booking_id == booking.id).order_by(OutboxMessage.id))],
        headset_uses=[StoredHeadsetUse(headset=tag, started_at=use.started_at,
                                       returned_at=use.returned_at)
                      for use, tag in session.exec(
                          select(HeadsetUse, Headset.asset_tag)
                          .join(Headset, col(Headset.id) == HeadsetUse.headset_id)
                          .where(HeadsetUse.booking_id == booking.id)
                          .order_by(HeadsetUse.started_at))],
        incidents=[StoredIncident(kind=i.kind, note=i.note, occurred_at=i.occurred_at)
                   for i in session.exec(select(Incident).where(
                       Incident.booking_id == booking.id).order_by(Incident.occurred_at))],
        feedback=feedback and StoredFeedback(
            rating=feedback.rating, found_what_looked_for=feedback.found_what_looked_for,
            created_at=feedback.created_at),
    )


def erase_booking(session: Session, token: str, now: datetime) -> BookingResult:
    """Erase this booking's personal data (idempotent); its anonymous count stays."""
    found = get_booking(session, token)
    # Ordered against the sweeps that write to this booking (reminders, offers).
    lock_centres(session, [found.slot.centre_id])
    if erase_bookings(session, [found.booking.id], now):
        record(session, None, "booking.erased", centre_id=found.centre.id,
               subject_type="booking", subject_id=found.booking.id,
               summary="personal data erased by the ticket holder")
    session.refresh(found.booking)
    return found
