"""Settings from the environment (prefix ``VR_BOOKING_``), one Settings object."""

import os
import secrets
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
