"""A server's worker freezes what start-up built and collects less often than a script."""

import gc
from collections.abc import Iterator

import pytest

from vr_booking.config import get_settings
from vr_booking.web.app import create_default_app
from vr_booking.web.collector import THRESHOLDS


@pytest.fixture
def collector() -> Iterator[None]:
    """Give the test process its collector (and settings read from the environment) back."""
    thresholds = gc.get_threshold()
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_a_worker_app_leaves_start_up_objects_out_of_collections(collector, monkeypatch,
                                                                  tmp_path):
    monkeypatch.setenv("VR_BOOKING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VR_BOOKING_DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite3'}")
    gc.unfreeze()
    app = create_default_app()
    assert gc.get_freeze_count() > 10_000  # the app's routes and everything imported
    assert gc.get_threshold() == THRESHOLDS != (700, 10, 10)
    assert app.state.settings.database_url.endswith("app.sqlite3")
    app.state.engine.dispose()
