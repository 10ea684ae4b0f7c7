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
