"""A wheel (``pip install .``, not editable) carries templates, static files, migrations, .mo."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository


def test_wheel_ships_templates_static_migrations_and_catalogues(tmp_path: Path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, timeout=300,
    )
    wheel = next(tmp_path.glob("vr_booking-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "vr_booking/templates/base.html",
        "vr_booking/static/css/app.css",
        "vr_booking/static/vendor/htmx-2.0.11.min.js",
        "vr_booking/alembic/env.py",
        "vr_booking/locale/fr/LC_MESSAGES/messages.mo",
        "vr_booking/data/catalogue.csv",
        "vr_booking/data/demo.json",
    ):
        assert expected in names, expected
    assert any(n.startswith("vr_booking/alembic/versions/") for n in names)
