"""A centre's calendar feed (ICS) for staff calendars, at an unguessable, revocable address.

The address holds a random token; only its SHA-256 is stored, so the address is shown once,
when a manager makes it, and a leaked database does not give it away. Revoking it makes the
address answer 404 at once. The feed holds the centre's group sessions (cancelled ones too,
marked CANCELLED so that calendars drop them) and its open-access afternoons, from a month
ago to six months ahead, in the centre's time zone (TZID and VTIMEZONE).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from vr_booking.config import settings_for
from vr_booking.i18n import _, ngettext
from vr_booking.labels import label
from vr_booking.models import CalendarFeed, Centre, SessionStatus, StaffUser
from vr_booking.services.audit import record
from vr_booking.services.errors import InvalidInput, NotFound
from vr_booking.services.groups.calendar import Entry, entries_between
from vr_booking.services.timeutil import local_date, to_local

FEED_PATH = "/calendar-feeds/{token}.ics"
PAST, AHEAD = timedelta(days=31), timedelta(days=183)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(session: Session, token: str) -> str:
    return settings_for(session).base_url + FEED_PATH.format(token=token)


def create_feed(session: Session, staff: StaffUser, centre: Centre,
                label_text: str) -> tuple[CalendarFeed, str]:
    """A new feed for the centre; returns it and its address (shown once, never stored)."""
    label_text = label_text.replace("\x00", "").strip()
    if not label_text or len(label_text) > 80:
        message = _("Say whose calendar this is, in at most 80 characters.")
        raise InvalidInput("invalid_feed", message, {"label": message})
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(centre_id=centre.id, token_hash=_digest(token), label=label_text,
                        created_by_id=staff.id)
    session.add(feed)
    session.flush()
    record(session, staff, "calendar_feed.created", centre_id=centre.id,
           subject_type="calendar_feed", subject_id=feed.id)
    return feed, feed_url(session, token)


def revoke_feed(session: Session, staff: StaffUser, centre: Centre, feed_id: int,
                now: datetime) -> CalendarFeed:
    """Revoke a feed of the centre (idempotent)."""
    feed = session.get(CalendarFeed, feed_id)
    if feed is None or feed.centre_id != centre.id:
        raise NotFound("unknown_feed", _("This calendar feed does not exist."))
    if feed.revoked_at is None:
        feed.revoked_at = now
        session.add(feed)
        session.flush()
        record(session, staff, "calendar_feed.revoked", centre_id=centre.id,
               subject_type="calendar_feed", subject_id=feed.id)
    return feed


def feeds_of(session: Session, centre: Centre) -> list[CalendarFeed]:
    return list(session.exec(select(CalendarFeed).where(CalendarFeed.centre_id == centre.id)
                             .order_by(col(CalendarFeed.revoked_at).is_not(None),
                                       col(CalendarFeed.created_at).desc())))


def centre_of_feed(session: Session, token: str) -> Centre:
    """The centre of a live feed token; NotFound for an unknown or revoked one."""
    feed = session.exec(select(CalendarFeed).where(
        CalendarFeed.token_hash == _digest(token), col(CalendarFeed.revoked_at).is_(None))
    ).first()
    if feed is None:
        raise NotFound("unknown_feed", _("This calendar feed does not exist."))
    return session.get(Centre, feed.centre_id)


def centre_ics(session: Session, centre: Centre, now: datetime) -> str:
    """The centre's calendar as an iCalendar document."""
    calendar = Calendar()
    calendar.add("prodid", "-//vr-booking//centre calendar//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("VR sessions — {centre}").format(centre=centre.name))
    days = entries_between(session, [centre], local_date(now - PAST, centre.timezone),
                           local_date(now + AHEAD, centre.timezone), with_cancelled=True)
    base = settings_for(session).base_url
    for entries in days.values():
        for entry in entries:
            calendar.add_component(_event(entry, now, base))
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


def _event(entry: Entry, now: datetime, base_url: str) -> Event:
    zone = entry.centre.timezone
    event = Event()
    event.add("dtstamp", now)
    event.add("dtstart", to_local(entry.starts_at, zone))
    event.add("dtend", to_local(entry.ends_at, zone))
    group = entry.group
    if group is None:
        event.add("uid", f"open-access-{entry.centre.slug}-"
                         f"{entry.starts_at:%Y%m%dT%H%M}@vr-booking")
        event.add("summary", label(entry.kind))
        event.add("description", _("Seats: {slots} · booked: {bookings}").format(
            slots=entry.slots, bookings=entry.bookings))
        event.add("location", entry.centre.name)
        return event
    url = f"{base_url}/staff/groups/{group.id}"
    event.add("uid", f"group-session-{group.id}@vr-booking")
    event.add("summary", group.title or label(group.kind))
    details = [label(group.kind), group.organisation,
               _("Group of {n}").format(n=group.group_size) if group.group_size else "",
               ngettext("%(num)d headset", "%(num)d headsets", group.headsets_reserved)
               % {"num": group.headsets_reserved}, url]
    event.add("description", "\n".join(d for d in details if d))
    event.add("location", group.location or entry.centre.name)
    event.add("url", url)
    event.add("status", "CANCELLED" if group.status == SessionStatus.cancelled else "CONFIRMED")
    return event
