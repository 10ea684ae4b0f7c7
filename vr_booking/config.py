"""Settings from the environment (prefix ``VR_BOOKING_``), one Settings object."""

import os
import secrets
import time
from datetime import time as clock_time
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from vr_booking.models.booking import age_band_starts

SECRET_FILE_NAME = "secret_key"  # noqa: S105  (a file name, not a secret)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VR_BOOKING_", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("vr-booking")))
    database_url: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"

    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_from: str = "vr-booking <no-reply@localhost>"

    default_language: Literal["fr", "en"] = "fr"
    session_max_age_seconds: int = 8 * 3600
    cookie_secure: bool = False

    # Headsets (field rule 6 in docs/architecture.md): about 2 h of use per full charge,
    # about 2.5 h to recharge.
    battery_full_minutes: int = 120
    recharge_minutes: int = 150
    charge_margin_minutes: int = 15
    # Immersion caps (field rule 4): continuous minutes for a first-timer, hard cap for anyone.
    first_immersion_minutes: int = 20
    max_immersion_minutes: int = 30

    # Open-access booking.
    max_upcoming_bookings: int = 3
    waitlist_size: int = 10
    booking_rate_limit_per_minute: int = 20
    no_show_release_minutes: int = 10

    # How long a write waits for a centre lock on PostgreSQL before answering "busy".
    lock_timeout_seconds: float = Field(default=3.0, gt=0, le=60)

    # Administration: how long a new account's set-password link and a reset link work, and
    # how often one address may be sent a reset link from the sign-in page.
    invitation_link_hours: int = Field(default=72, ge=1, le=24 * 30)
    reset_link_minutes: int = Field(default=60, ge=5, le=24 * 60)
    reset_link_interval_minutes: int = Field(default=5, ge=0, le=24 * 60)
    # Hardening: sign-in throttling, client addresses, limits shared by every worker (the
    # counters live in the database). Addresses are comma-separated IPs or networks.
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (e.g. 127.0.0.1
    # behind a local nginx); empty: the connecting address is the client's.
    trusted_proxies: str = ""
    # Active future bookings one client address may hold (0: no cap), and the addresses
    # exempt from it (the centre's own kiosk).
    max_upcoming_bookings_per_address: int = Field(default=6, ge=0)
    booking_cap_exempt_addresses: str = ""
    # Notifications, waiting-list offers, loans and data that expires (services/notify).
    # Local wall-clock times are in each centre's zone.
    reminder_time: clock_time = clock_time(10, 0)  # visitors' reminder, the day before
    digest_time: clock_time = clock_time(18, 0)  # facilitators' digest of the next day
    offer_window_hours: int = Field(default=24, ge=0, le=24 * 14)  # 0: never offer
    offer_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    loan_reminder_days: int = Field(default=2, ge=0, le=60)
    retention_months: int = Field(default=12, ge=1, le=240)
    esf_retention_months: int = Field(default=120, ge=1, le=600)
    places_refresh_seconds: int = Field(default=20, ge=2, le=600)
    # Reports and the exit survey. Counts from 1 to threshold - 1 show as "<threshold" in
    # exports meant for outside (the label's yearly report, the ESF breakdown).
    report_small_cell_threshold: int = Field(default=5, ge=1, le=100)
    # The ESF report's age bands, as the ages where a band starts ("25,55": under 25, 25–54,
    # 55 and over); each must be an edge of the bands participants are recorded in.
    esf_age_boundaries: str = "25,55"
    # Poster answers (no ticket) a client may send per minute: a class on the centre's Wi-Fi
    # shares one address.
    survey_poster_rate_limit_per_minute: int = Field(default=30, ge=1)
    # The survey e-mail leaves this long after the session ends.
    survey_email_delay_minutes: int = Field(default=30, ge=0)
    # First day (issue 9): staff pages warn when e-mails have waited unsent this long.
    outbox_warning_minutes: int = Field(default=10, ge=1)

    @model_validator(mode="after")
    def _fill_defaults(self) -> "Settings":
        self.base_url = self.base_url.rstrip("/")
        if not self.database_url:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.database_url = f"sqlite:///{self.data_dir / 'vr-booking.sqlite3'}"
        if not self.secret_key:
            self.secret_key = load_or_create_secret(self.data_dir)
        return self

    @field_validator("esf_age_boundaries")
    @classmethod
    def _check_age_boundaries(cls, value: str) -> str:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(part.isascii() and part.isdigit() for part in parts):
            raise ValueError("give ages separated by commas, e.g. 25,55")
        ages = [int(part) for part in parts]
        if ages != sorted(set(ages)) or not set(ages) <= set(age_band_starts()[1:]):
            raise ValueError(f"each age must be one where a recorded band starts "
                             f"({', '.join(map(str, age_band_starts()[1:]))}), in order")
        return ",".join(map(str, ages))

    @property
    def esf_age_bounds(self) -> tuple[int, ...]:
        """The ages where the ESF report's age bands start (after the first)."""
        return tuple(int(age) for age in self.esf_age_boundaries.split(",") if age)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_or_create_secret(data_dir: Path) -> str:
    """Read the secret stored beside the database, creating it (mode 600) on first run."""
    path = data_dir / SECRET_FILE_NAME
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when several workers start at once, exactly one writes the secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(fd, "w") as secret_file:
        secret_file.write(secrets.token_urlsafe(48))
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    for _ in range(50):  # another process may be between create and write
        secret = path.read_text().strip()
        if secret:
            return secret
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it or set VR_BOOKING_SECRET_KEY")


@lru_cache
def get_settings() -> Settings:
    return Settings()


def settings_for(session: Any) -> Settings:
    """The settings of the app or command that opened this database session.

    The web layer and the CLI put theirs in ``session.info``; otherwise the environment's.
    """
    return session.info.get("settings") or get_settings()
