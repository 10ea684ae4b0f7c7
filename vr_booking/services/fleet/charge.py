"""Battery estimates and typed charge records (field rule 6): pure functions, no database.

The last recorded level (``charge_percent`` at ``charge_recorded_at``) is drawn down by the
minutes the headset has been worn since (a use still running counts until now). We give no
credit for charging unless a new level is recorded: a headset left on a shelf or on its
cable keeps its recorded level, which errs on the side of warning too often rather than
handing out a headset that dies mid-session.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from vr_booking.config import Settings
from vr_booking.i18n import _
from vr_booking.services.errors import InvalidInput
from vr_booking.services.timeutil import local_to_utc

Use = tuple[datetime, datetime | None]  # (started_at, returned_at or None while worn)


@dataclass(frozen=True)
class Battery:
    """What a full charge gives and takes, and the margin kept on top of a planned use."""

    full_minutes: int = 120
    recharge_minutes: int = 150
    margin_minutes: int = 15

    @classmethod
    def from_settings(cls, settings: Settings) -> "Battery":
        return cls(settings.battery_full_minutes, settings.recharge_minutes,
                   settings.charge_margin_minutes)


@dataclass(frozen=True)
class ChargeEstimate:
    """The estimated charge now; ``percent`` and ``minutes_left`` are None when never recorded."""

    percent: int | None
    minutes_left: int | None
    battery: Battery

    @property
    def is_known(self) -> bool:
        return self.minutes_left is not None

    @property
    def minutes_to_full(self) -> int | None:
        """Time on the charger to reach 100 % from the estimated level."""
        if self.percent is None:
            return None
        return round((100 - self.percent) * self.battery.recharge_minutes / 100)

    def fits(self, planned_minutes: int) -> bool:
        """Whether a use of ``planned_minutes`` plus the margin fits; unknown charge never fits."""
        return self.is_known and self.minutes_left >= planned_minutes + self.battery.margin_minutes


def worn_minutes(uses: Iterable[Use], since: datetime, now: datetime) -> float:
    """Minutes of use within [since, now); a use without return runs until now."""
    total = 0.0
    for started_at, returned_at in uses:
        start = max(started_at, since)
        end = min(returned_at or now, now)
        if end > start:
            total += (end - start).total_seconds() / 60
    return total


def estimate_remaining_minutes(percent: int | None, recorded_at: datetime | None,
                               uses: Iterable[Use], now: datetime, full_minutes: int) -> int | None:
    """Minutes of use left: recorded level × full charge, minus minutes worn since the record."""
    if percent is None or recorded_at is None:
        return None
    left = percent * full_minutes / 100 - worn_minutes(uses, recorded_at, now)
    return max(0, round(left))


def estimate_charge(percent: int | None, recorded_at: datetime | None, uses: Iterable[Use],
                    now: datetime, battery: Battery) -> ChargeEstimate:
    minutes = estimate_remaining_minutes(percent, recorded_at, uses, now, battery.full_minutes)
    if minutes is None:
        return ChargeEstimate(None, None, battery)
    return ChargeEstimate(round(100 * minutes / battery.full_minutes), minutes, battery)


def check_charge(percent: int | None, charged_at: datetime | None, zone: str,
                 now: datetime) -> tuple[int, datetime]:
    """A level (0–100 %, now) or a local "charged at" time (100 % then), parsed by the web
    layer; exactly one of the two, and not in the future."""
    if (percent is None) == (charged_at is None):
        raise InvalidInput("bad_charge", _("Give either a level or the time it was fully "
                                           "charged."), {"percent": _("Give one of the two.")})
    if percent is not None:
        return percent, now
    at = local_to_utc(charged_at.date(), charged_at.time(), zone)
    if at > now:
        raise InvalidInput("bad_charge", _("Please correct the marked fields."),
                           {"charged_at": _("This time is in the future.")})
    return 100, at
