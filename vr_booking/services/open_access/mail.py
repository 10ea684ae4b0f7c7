"""What a visitor is told when their booking changes (queued in the outbox)."""

from sqlmodel import Session

from vr_booking.config import settings_for
from vr_booking.models import Booking, Centre, VRSession
from vr_booking.services.mail import CALENDAR_CANCEL, CALENDAR_PUBLISH, enqueue, render_mail
from vr_booking.services.open_access.tickets import decline_url, format_code, ticket_url
from vr_booking.services.timeutil import to_local

# Events that come with the calendar file (the visitor holds a seat afterwards)...
WITH_CALENDAR = {"confirmed", "promoted", "changed"}
# ...and those that take the event out of the visitor's calendar (same UID, METHOD:CANCEL).
WITH_CANCELLATION = {"cancelled", "slot_cancelled"}
EVENTS = {"confirmed", "waitlisted", "promoted", "demoted", "cancelled", "changed",
          "slot_cancelled", "offered", "offer_lapsed", "reminder"}


def notify_booking_change(session: Session, booking: Booking, event: str) -> None:
    """Queue the e-mail for ``event`` (see EVENTS) when the visitor gave an address."""
    if not booking.email or event not in EVENTS:
        return
    slot = session.get(VRSession, booking.session_id)
    centre = session.get(Centre, slot.centre_id)
    local = to_local(slot.starts_at, centre.timezone)
    offer_until = booking.offer_expires_at and to_local(booking.offer_expires_at,
                                                        centre.timezone)
    subject, body = render_mail(
        f"booking_{event}", booking.language, booking=booking, centre=centre,
        starts_at=local, ends_at=to_local(slot.ends_at, centre.timezone),
        ticket_url=ticket_url(session, booking), ticket_code=format_code(booking.short_code),
        decline_url=decline_url(session, booking), offer_until=offer_until,
        site_url=settings_for(session).base_url + "/",
    )
    attachment = None  # the calendar file itself is built when the message is sent
    if event in WITH_CALENDAR:
        attachment = ("ticket.ics", CALENDAR_PUBLISH, "")
    elif event in WITH_CANCELLATION:
        attachment = ("cancel.ics", CALENDAR_CANCEL, "")
    enqueue(session, booking.email, subject, body, attachment, booking_id=booking.id)
