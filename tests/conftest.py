"""Fixtures: an app on SQLite or PostgreSQL, a running server, staff users, a browser.

Choose the database with ``VR_BOOKING_TEST_DB=sqlite`` (default) or ``postgres``; the
PostgreSQL URL comes from ``VR_BOOKING_TEST_PG_URL`` (default: the local ``test`` database).

Only fixtures live here; the plain helpers that tests import (``login``, ``start_server``,
the builders of bookings, desks and fleets…) live in ``factories.py``.
"""

import shutil
from collections.abc import Callable, Iterator
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

from factories import (
    PASSWORD,
    PG_URL,
    SITE_STAFF,
    TEST_DB,
    Inbox,
    LiveServer,
    Network,
    OpenAccess,
    Site,
    free_port,
    make_network,
    site_addresses,
    start_server,
    stop_server,
)
from vr_booking import migrations
from vr_booking.config import Settings
from vr_booking.db import make_engine
from vr_booking.i18n import current_language
from vr_booking.models import (
    Centre,
    Headset,
    OpenAccessRule,
    SessionKind,
    StaffUser,
    VRSession,
    utcnow,
)
from vr_booking.services.admin.accounts import create_staff
from vr_booking.services.admin.tokens import issue_api_token
from vr_booking.services.demo import load_demo_data
from vr_booking.services.open_access.slots import generate_slots
from vr_booking.web.app import create_app


def reset_postgres(url: str) -> None:
    """Empty the PostgreSQL test database completely (tables and Alembic's version)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head once per test run: a SQLite file, or the PG database."""
    if TEST_DB == "postgres":
        reset_postgres(PG_URL)
        migrations.upgrade("head", PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrations.upgrade("head", f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def db_url(migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for one test."""
    if TEST_DB != "postgres":
        target = tmp_path / "test.sqlite3"
        shutil.copy(migrated_template, target)
        yield f"sqlite:///{target}"
        return
    yield migrated_template
    _truncate_postgres(migrated_template)


def _truncate_postgres(url: str) -> None:
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session for arranging and checking data; commit to make it visible to the app.

    Deferred transactions on SQLite: a test that only reads must not hold the write lock
    that the server or the CLI under test needs.
    """
    with Session(engine.execution_options(sqlite_begin="DEFERRED"),
                 expire_on_commit=False) as session:
        yield session


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "data", environment="test",
                    secret_key="test-secret-key-not-for-production", base_url="http://testserver")


@pytest.fixture
def app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings, engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def english() -> Iterator[None]:
    """Messages built outside a request use the default language (French): read English."""
    token = current_language.set("en")
    yield
    current_language.reset(token)


@pytest.fixture
def demo(db: Session) -> Session:
    """The demo data, loaded and committed."""
    load_demo_data(db, date.today())
    db.commit()
    return db


@pytest.fixture
def make_centre(db: Session) -> Callable[..., Centre]:
    def _make(slug: str, **fields: object) -> Centre:
        centre = Centre(slug=slug, name=fields.pop("name", slug.title()), **fields)
        db.add(centre)
        db.commit()
        return centre

    return _make


@pytest.fixture
def make_staff(db: Session) -> Callable[..., StaffUser]:
    """Create a staff user (password: ``PASSWORD``) working for the given centre slugs."""

    def _make(email: str, role: str = "facilitator", centres: tuple[str, ...] = (),
              can_edit_catalogue: bool = False) -> StaffUser:
        user = create_staff(db, email=email, name=email.split("@")[0].title(), role=role,
                            centre_slugs=list(centres), password=PASSWORD,
                            can_edit_catalogue=can_edit_catalogue)
        db.commit()
        return user

    return _make


@pytest.fixture
def make_token(db: Session) -> Callable[[str], str]:
    def _make(email: str) -> str:
        token = issue_api_token(db, email)
        db.commit()
        return token

    return _make


@pytest.fixture
def live_server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A real server process on a free port, on this test's database."""
    server = start_server(db_url, tmp_path / "server")
    yield server
    stop_server(server)


@pytest.fixture
def make_open_access(db: Session, make_centre) -> Callable[..., OpenAccess]:
    """A centre with ``headsets`` in service and a weekly rule whose slots are generated.

    Slots start next week (Wednesdays 14:00–16:00 Paris time by default), so they are
    bookable whatever today is.
    """

    def _make(slug: str = "hub", headsets: int = 3, reserve: int = 0, **rule_fields: object):
        centre = make_centre(slug, kind="hub", address="1 rue du Test", city="Marseille")
        units = [Headset(asset_tag=f"{slug[:3].upper()}-VR-{n:02d}", home_centre_id=centre.id)
                 for n in range(1, headsets + 1)]
        rule = OpenAccessRule(centre_id=centre.id, weekday=rule_fields.pop("weekday", 2),
                              start_time=time(14), end_time=time(16), walk_in_reserve=reserve,
                              horizon_weeks=rule_fields.pop("horizon_weeks", 2), **rule_fields)
        db.add_all([*units, rule])
        db.commit()
        slots = generate_slots(db, rule, date.today() + timedelta(days=1))
        db.commit()
        return OpenAccess(centre, rule, slots, units)

    return _make


@pytest.fixture
def make_slot_now(db: Session) -> Callable[..., VRSession]:
    """A 20-minute open-access slot at this centre starting now (servers run on the real
    clock); ``charged`` also records the centre's headsets as fully charged an hour ago."""

    def _make(open_access: OpenAccess, charged: bool = False) -> VRSession:
        start = utcnow().replace(second=0, microsecond=0)
        slot = VRSession(centre_id=open_access.centre.id, kind=SessionKind.open_access,
                         rule_id=open_access.rule.id, starts_at=start,
                         ends_at=start + timedelta(minutes=20))
        if charged:
            for headset in open_access.headsets:
                headset.charge_percent = 100
                headset.charge_recorded_at = start - timedelta(hours=1)
        db.add_all([slot, *open_access.headsets])
        db.commit()
        return slot

    return _make


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Drive Debian's Chromium; Playwright's own browser download does not work here."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A French visitor (the browser's language picks the page language)."""
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture
def smtp_inbox(settings: Settings) -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on a free port (``inbox.port``); ``settings`` send their
    mail to it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    settings.smtp_host, settings.smtp_port = "127.0.0.1", inbox.port
    yield inbox
    controller.stop()


@pytest.fixture
def network(make_centre, make_staff) -> Network:
    """Two hubs, an associated centre, and staff of every role (``factories.make_network``)."""
    return make_network(make_centre, make_staff)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run on one database: under PostgreSQL they are skipped (and say so).

    They exercise pages, focus and layout, which do not depend on the database; CI runs the
    suite twice (SQLite, then PostgreSQL) and the browser half once is enough.
    """
    if TEST_DB != "postgres":
        return
    skip = pytest.mark.skip(reason="browser tests run on SQLite only (VR_BOOKING_TEST_DB=sqlite)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture
def site(demo: Session, make_staff, live_server: LiveServer) -> Site:
    """The demo data on a running server after a busy desk day, with an account for each of
    ``SITE_STAFF``'s roles: what the walks over every page (``SITE_PAGES``) visit."""
    staff = {role: make_staff(email, role=role, centres=centres)
             for role, (email, centres) in SITE_STAFF.items()}
    return Site(live_server.url, site_addresses(demo, staff))
