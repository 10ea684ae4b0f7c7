"""iCalendar (RFC 5545) for tickets, with the centre's time zone (TZID + VTIMEZONE).

A ticket's event keeps one UID (its token) for its whole life, so that a calendar that
imported it updates it: a move sends the new times, a cancellation ``METHOD:CANCEL`` with
``STATUS:CANCELLED`` and a higher ``SEQUENCE`` (RFC 5546), which calendars take as "drop
this event".

The files are built when they are downloaded or their e-mail is sent (never inside the
booking's transaction), and the VTIMEZONE block, icalendar's costly part, once per zone.
"""

from datetime import date, datetime
from functools import lru_cache

from icalendar import Calendar, Event, Timezone
from sqlmodel import Session

from vr_booking.i18n import _, current_language
from vr_booking.models import Booking, Centre, VRSession, utcnow
from vr_booking.services.open_access.tickets import ticket_url
from vr_booking.services.timeutil import to_local

PUBLISH, CANCEL = "PUBLISH", "CANCEL"


def calendar_title(language: str) -> str:
    token = current_language.set(language)
    try:
        return _("VR job discovery session")
    finally:
        current_language.reset(token)


def booking_ics(session: Session, booking: Booking, method: str = PUBLISH,
                cancelled: bool | None = None) -> str:
    """The ticket's calendar file as it stands now (see :func:`ticket_ics`)."""
    slot = session.get(VRSession, booking.session_id)
    centre = session.get(Centre, slot.centre_id)
    return ticket_ics(booking, slot, centre, ticket_url(session, booking),
                      calendar_title(booking.language), utcnow(), method, cancelled)


def ticket_ics(booking: Booking, slot: VRSession, centre: Centre, ticket_url: str,
               title: str, now: datetime, method: str = PUBLISH,
               cancelled: bool | None = None) -> str:
    """A one-event calendar for a booking, in the centre's local time; ``cancelled``
    defaults to the booking's own status (or a CANCEL method)."""
    if cancelled is None:
        cancelled = method == CANCEL or booking.status == "cancelled"
    calendar = Calendar()
    calendar.add("prodid", "-//vr-booking//ticket//FR")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"{booking.token}@vr-booking")
    event.add("sequence", 1 if cancelled else 0)
    event.add("dtstamp", now)
    event.add("dtstart", to_local(slot.starts_at, centre.timezone))
    event.add("dtend", to_local(slot.ends_at, centre.timezone))
    event.add("summary", title)
    event.add("location", ", ".join(p for p in (centre.name, centre.address,
                                                 f"{centre.postcode} {centre.city}".strip()) if p))
    event.add("description", ticket_url)
    event.add("url", ticket_url)
    if centre.contact_email:
        event.add("organizer", f"mailto:{centre.contact_email}", parameters={"CN": centre.name})
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    _add_timezones(calendar)
    return calendar.to_ical().decode()


def _add_timezones(calendar: Calendar) -> None:
    """What ``Calendar.add_missing_timezones()`` adds, from :func:`_vtimezone`'s cache."""
    for position, tzid in enumerate(sorted(calendar.get_missing_tzids())):
        timezone = _vtimezone(tzid, Timezone.DEFAULT_FIRST_DATE, Timezone.DEFAULT_LAST_DATE)
        if timezone is not None:
            calendar.subcomponents.insert(position, timezone)


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_date: date, last_date: date) -> Timezone | None:
    """A zone's VTIMEZONE over these years (shared: never changed once built); None for a
    zone icalendar does not know, which it leaves out too."""
    try:
        return Timezone.from_tzid(tzid, first_date=first_date, last_date=last_date)
    except ValueError:
        return None
