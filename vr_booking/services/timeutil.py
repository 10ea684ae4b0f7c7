"""Local wall-clock times to UTC instants and back (weekly rules keep 14:00 across DST)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


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
