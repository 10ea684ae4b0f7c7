"""Local wall-clock times to UTC instants and back (weekly rules keep 14:00 across DST)."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of a local date and wall-clock time in an IANA zone."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def to_local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open ranges [a_start, a_end) and [b_start, b_end) share an instant."""
    return a_start < b_end and b_start < a_end
