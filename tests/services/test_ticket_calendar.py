"""The ticket's calendar file (``services/calendar.py``): its VTIMEZONE comes from a cache
built once per zone, and the file is byte for byte what icalendar itself would write."""

from datetime import UTC, datetime

from icalendar import Calendar

from vr_booking.models import Booking, Centre, VRSession
from vr_booking.services import calendar
from vr_booking.services.calendar import CANCEL, ticket_ics


def _ticket(zone: str) -> tuple[Booking, VRSession, Centre]:
    centre = Centre(slug="hub", name="Hub", address="1 rue du Port", postcode="13002",
                    city="Marseille", contact_email="hub@example.org", timezone=zone)
    slot = VRSession(centre_id=1, kind="open_access",
                     starts_at=datetime(2027, 3, 28, 13, tzinfo=UTC),  # the spring change
                     ends_at=datetime(2027, 3, 28, 13, 20, tzinfo=UTC))
    return Booking(session_id=1, token="tok", short_code="ABCD2345", name="Ana"), slot, centre


def _icalendars_own(text: str) -> str:
    """The same file with the VTIMEZONE icalendar's ``add_missing_timezones`` builds."""
    parsed = Calendar.from_ical(text)
    parsed.subcomponents = [c for c in parsed.subcomponents if c.name != "VTIMEZONE"]
    parsed.add_missing_timezones()
    return parsed.to_ical().decode()


def test_the_file_is_what_icalendar_writes_for_publish_and_cancel():
    now = datetime(2027, 3, 1, 9, tzinfo=UTC)
    for zone in ("Europe/Paris", "America/Cayenne"):
        for method in ("PUBLISH", CANCEL):
            text = ticket_ics(*_ticket(zone), "https://vr.example.org/b/tok", "Séance", now,
                              method)
            assert f"TZID:{zone}" in text
            assert f"METHOD:{method}" in text
            assert text == _icalendars_own(text)


def test_the_time_zone_block_is_built_once_per_zone():
    now = datetime(2027, 3, 1, 9, tzinfo=UTC)
    ticket_ics(*_ticket("Europe/Paris"), "u", "t", now)
    built = calendar._vtimezone.cache_info().misses
    ticket_ics(*_ticket("Europe/Paris"), "u", "t", now, CANCEL)
    assert calendar._vtimezone.cache_info().misses == built
    ticket_ics(*_ticket("Indian/Reunion"), "u", "t", now)
    assert calendar._vtimezone.cache_info().misses == built + 1
