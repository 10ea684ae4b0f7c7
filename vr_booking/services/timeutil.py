"""Local wall-clock times to UTC instants and back (weekly rules keep 14:00 across DST), and
dates and times spelled out in the current language (Babel: pages and e-mails alike)."""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from vr_booking.i18n import current_language


def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of a local date and wall-clock time in an IANA zone."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def to_local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def local_date(instant: datetime, zone: str) -> date:
    """The local date of an instant in an IANA zone."""
    return to_local(instant, zone).date()


def day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants of the local midnights starting and ending ``day``."""
    return local_to_utc(day, time(0), zone), local_to_utc(day + timedelta(days=1), time(0), zone)


def wall_clock_exists(day: date, at: time, zone: str) -> bool:
    """False for a local time the clock skips (02:30 on the spring daylight-saving day)."""
    there_and_back = to_local(local_to_utc(day, at, zone), zone)
    return there_and_back.replace(tzinfo=None) == datetime.combine(day, at)
def spoken_time(instant: datetime | time, zone: str | None = None) -> str:
    """"14:20" (fr) or "14:20" / "2:20 PM" as the language writes it; instants in ``zone``."""
    value = to_local(instant, zone) if zone and isinstance(instant, datetime) else instant
    clock = value.replace(tzinfo=None) if isinstance(value, time) else value.time()
    return _spoken_time(clock, current_language.get())


def spoken_date(day: datetime | date, zone: str | None = None, fmt: str = "full") -> str:
    """"Mercredi 2 décembre 2026" / "Wednesday, December 2, 2026": the language's own form,
    its first letter capitalised (French writes weekdays in lower case mid-sentence only)."""
    value = to_local(day, zone).date() if zone and isinstance(day, datetime) else day
    if isinstance(value, datetime):
        value = value.date()
    return _spoken_date(value, fmt, current_language.get())


# Babel takes 20-30 µs a date or time; a page of the network's next slots spells the same
# few dozen times and dates over and over (120 a home page). The short time format shows
# the wall clock only, so a time is spelled from its local clock reading alone.
@lru_cache(maxsize=4096)
def _spoken_time(clock: time, language: str) -> str:
    return format_time(clock, "short", locale=language)


@lru_cache(maxsize=4096)
def _spoken_date(day: date, fmt: str, language: str) -> str:
    text = format_date(day, fmt, locale=language)
    return text[:1].upper() + text[1:]
