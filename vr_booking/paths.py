"""Where the templates, static files and migrations live.

In a wheel they are copied inside the package (see pyproject's force-include); in a source
checkout or an editable install they sit at the top of the repository.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = PACKAGE_DIR.parent


def _resource(name: str) -> Path:
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else _REPO_DIR / name


TEMPLATES_DIR = _resource("templates")
STATIC_DIR = _resource("static")
ALEMBIC_DIR = _resource("alembic")
LOCALE_DIR = PACKAGE_DIR / "locale"
DATA_DIR = PACKAGE_DIR / "data"
