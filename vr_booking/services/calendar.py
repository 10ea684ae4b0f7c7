"""iCalendar (RFC 5545) for tickets, with the centre's time zone (TZID + VTIMEZONE)."""

from datetime import datetime

from icalendar import Calendar, Event

from vr_booking.models import Booking, Centre, VRSession
from vr_booking.services.timeutil import to_local


def ticket_ics(booking: Booking, slot: VRSession, centre: Centre, ticket_url: str,
               title: str, now: datetime) -> str:
    """A one-event calendar for a booking, in the centre's local time."""
    calendar = Calendar()
    calendar.add("prodid", "-//vr-booking//ticket//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.token}@vr-booking")
    event.add("dtstamp", now)
    event.add("dtstart", to_local(slot.starts_at, centre.timezone))
    event.add("dtend", to_local(slot.ends_at, centre.timezone))
    event.add("summary", title)
    event.add("location", ", ".join(p for p in (centre.name, centre.address,
                                                 f"{centre.postcode} {centre.city}".strip()) if p))
    event.add("description", ticket_url)
    event.add("url", ticket_url)
    event.add("status", "CANCELLED" if booking.status == "cancelled" else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
