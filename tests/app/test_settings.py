"""Settings come from VR_BOOKING_* variables; the secret is generated once and kept."""

import stat
from concurrent.futures import ThreadPoolExecutor
from datetime import time
from pathlib import Path

import pytest

from vr_booking.config import SECRET_FILE_NAME, Settings, load_or_create_secret


def test_settings_read_prefixed_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("VR_BOOKING_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("VR_BOOKING_SECRET_KEY", "s3cret-from-env")
    monkeypatch.setenv("VR_BOOKING_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("VR_BOOKING_SMTP_PORT", "2525")
    monkeypatch.setenv("VR_BOOKING_BASE_URL", "https://vr.example.org/")
    monkeypatch.setenv("VR_BOOKING_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.secret_key == "s3cret-from-env"
    assert (settings.smtp_host, settings.smtp_port) == ("mail.example.org", 2525)
    assert settings.base_url == "https://vr.example.org"
    assert not (tmp_path / SECRET_FILE_NAME).exists()


def test_default_database_is_a_sqlite_file_in_the_data_dir(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("VR_BOOKING_DATABASE_URL", raising=False)
    monkeypatch.delenv("VR_BOOKING_SECRET_KEY", raising=False)
    data_dir = tmp_path / "new" / "dir"
    settings = Settings(data_dir=data_dir)
    assert settings.database_url == f"sqlite:///{data_dir / 'vr-booking.sqlite3'}"
    assert settings.is_sqlite
    assert data_dir.is_dir()


def test_secret_is_generated_once_private_and_reused(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("VR_BOOKING_SECRET_KEY", raising=False)
    first = Settings(data_dir=tmp_path).secret_key
    second = Settings(data_dir=tmp_path).secret_key
    assert first == second
    assert len(first) >= 32
    mode = stat.S_IMODE((tmp_path / SECRET_FILE_NAME).stat().st_mode)
    assert mode == 0o600


def test_workers_starting_together_share_one_secret(tmp_path: Path):
    with ThreadPoolExecutor(max_workers=8) as pool:
        secrets = set(pool.map(lambda _: load_or_create_secret(tmp_path), range(16)))
    assert len(secrets) == 1


def test_bad_setting_is_refused(monkeypatch):
    monkeypatch.setenv("VR_BOOKING_SMTP_PORT", "not-a-port")
    with pytest.raises(ValueError, match="smtp_port"):
        Settings()


def test_local_times_are_read_as_hh_mm_and_bad_ones_refused(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("VR_BOOKING_REMINDER_TIME", "09:30")
    monkeypatch.setenv("VR_BOOKING_DIGEST_TIME", "17:45")
    settings = Settings(data_dir=tmp_path, secret_key="x")
    assert (settings.reminder_time, settings.digest_time) == (time(9, 30), time(17, 45))
    monkeypatch.setenv("VR_BOOKING_REMINDER_TIME", "25:00")
    with pytest.raises(ValueError, match="reminder_time"):
        Settings(data_dir=tmp_path, secret_key="x")
    monkeypatch.setenv("VR_BOOKING_REMINDER_TIME", "10:00")
    monkeypatch.setenv("VR_BOOKING_OFFER_MINUTES", "1")
    with pytest.raises(ValueError, match="offer_minutes"):
        Settings(data_dir=tmp_path, secret_key="x")
