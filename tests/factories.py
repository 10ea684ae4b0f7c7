"""The plain helpers tests share: test configuration, HTTP helpers, live servers, and builders
of bookings, desks and fleets.

Fixtures live in ``conftest.py``; every helper a test module imports lives here, so that no
test module imports another one.
"""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time as clock
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from vr_booking.models import (
    Allocation,
    Booking,
    Centre,
    Headset,
    Job,
    Loan,
    LoanHeadset,
    OpenAccessRule,
    Sector,
    SessionKind,
    StaffUser,
    Video,
    VideoJob,
    VRSession,
    utcnow,
)
from vr_booking.services.desk.checkin import check_in
from vr_booking.services.desk.handout import hand_out, return_headset
from vr_booking.services.desk.walk_ins import add_walk_in
from vr_booking.services.open_access.booking import BookingInput, cancel_booking, create_booking
from vr_booking.services.open_access.slots import generate_slots
from vr_booking.services.timeutil import to_local

# --- test configuration ---------------------------------------------------------------------

TEST_DB = os.environ.get("VR_BOOKING_TEST_DB", "sqlite")
PG_URL = os.environ.get("VR_BOOKING_TEST_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "correct horse battery"  # every staff user's password (conftest's make_staff)


# --- HTTP through the TestClient ------------------------------------------------------------

def csrf_from(client: TestClient, path: str = "/staff/login") -> str:
    """Visit a page so that the CSRF cookie is set, and return the token for a form."""
    client.get(path)
    return client.cookies["csrftoken"]


def login(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Response:
    token = csrf_from(client)
    return client.post("/staff/login", data={"email": email, "password": password,
                                             "csrftoken": token}, follow_redirects=False)


def post_form(client: TestClient, url: str, data: dict | None = None, **kwargs):
    """POST a form with the CSRF token the signed-in client holds (lists repeat a field)."""
    return client.post(url, data={"csrftoken": client.cookies["csrftoken"], **(data or {})},
                       **kwargs)


# --- live servers ---------------------------------------------------------------------------

SERVER_START_TIMEOUT_S = 30
UNLOCKED_SERVER = Path(__file__).resolve().parent / "concurrency" / "unlocked_server.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    database_url: str
    process: subprocess.Popen


def start_server(database_url: str, data_dir: Path, workers: int = 1,
                 command: Sequence[str] | None = None, **settings: str) -> LiveServer:
    """Start ``vr-booking serve`` in its own process and wait until /healthz answers.

    ``settings`` become ``VR_BOOKING_<NAME>`` environment variables of the server.
    ``command`` replaces ``vr-booking serve`` by another program that takes ``--port``
    (and serves one worker): see :func:`start_unlocked_server`.
    """
    port = free_port()
    env = {**os.environ, "VR_BOOKING_DATABASE_URL": database_url,
           "VR_BOOKING_DATA_DIR": str(data_dir), "VR_BOOKING_BASE_URL": f"http://127.0.0.1:{port}",
           "VR_BOOKING_ENVIRONMENT": "test",
           **{f"VR_BOOKING_{k.upper()}": v for k, v in settings.items()}}
    if command is None:
        argv = [sys.executable, "-m", "vr_booking", "serve", "--port", str(port), "--no-demo",
                "--no-scheduler", "--workers", str(workers)]
    else:
        argv = [*command, "--port", str(port)]
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(  # cwd: import the installed package, not the working tree
        argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=data_dir)
    server = LiveServer(f"http://127.0.0.1:{port}", database_url, process)
    _wait_until_up(server, data_dir / "server.log")
    return server


def start_unlocked_server(database_url: str, data_dir: Path, **settings: str) -> LiveServer:
    """A one-worker server whose centre lock does nothing (the race tests' control)."""
    return start_server(database_url, data_dir,
                        command=[sys.executable, str(UNLOCKED_SERVER)], **settings)


def _wait_until_up(server: LiveServer, log_path: Path) -> None:
    deadline = clock.monotonic() + SERVER_START_TIMEOUT_S
    while clock.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            clock.sleep(0.1)
    server.process.kill()
    raise RuntimeError(f"server did not start:\n{log_path.read_text()}")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


# The control of a race test sends the same requests to start_unlocked_server() and must see
# the race that the centre lock prevents: proof that the real test could fail.
race_control = pytest.mark.skipif(
    TEST_DB != "postgres",
    reason="a race test's control needs PostgreSQL (VR_BOOKING_TEST_DB=postgres): on SQLite, "
           "BEGIN IMMEDIATE serialises every write even without the centre lock")


# --- rows as stored -------------------------------------------------------------------------

def reread(db: Session, row):
    """``row`` as the app stored it: end the test's read transaction, then read it afresh."""
    db.commit()
    return db.exec(select(type(row)).where(type(row).id == row.id)
                   .execution_options(populate_existing=True)).one()


# --- open access, bookings and the desk -----------------------------------------------------

@dataclass
class OpenAccess:
    """What conftest's ``make_open_access`` fixture makes."""

    centre: Centre
    rule: OpenAccessRule
    slots: list[VRSession]
    headsets: list[Headset]


def book(db: Session, slot: VRSession, name: str) -> Booking:
    """A booking made now through the booking service (the test slots are next week)."""
    booking = create_booking(db, BookingInput(slot_id=slot.id, name=name, age_confirmed=True,
                                              health_ack=True), utcnow()).booking
    db.commit()
    return booking


@dataclass
class Desk:
    centre: Centre
    slots: list[VRSession]
    headsets: list[Headset]
    staff: StaffUser
    now: datetime
    ana: Booking


def charge(db: Session, headsets: list[Headset], percent: int | None,
           at: datetime | None) -> None:
    for headset in headsets:
        headset.charge_percent, headset.charge_recorded_at = percent, at
    db.add_all(headsets)
    db.commit()


def arrive(db: Session, desk: Desk, name: str, slot: VRSession | None = None) -> Booking:
    """Book a seat and check in at the desk (5 minutes before the first slot)."""
    booking = book(db, slot or desk.slots[0], name)
    check_in(db, desk.staff, desk.now, code=booking.short_code)
    db.commit()
    return booking


def make_desk(db: Session, make_open_access, make_staff) -> Desk:
    """3 headsets charged full an hour ago; Ana checked in 5 minutes before the first slot;
    the facilitator is ``fac@example.org``."""
    hub = make_open_access("hub", headsets=3)
    now = hub.slots[0].starts_at - timedelta(minutes=5)
    charge(db, hub.headsets, 100, now - timedelta(hours=1))
    staff = make_staff("fac@example.org", centres=("hub",))
    desk = Desk(hub.centre, hub.slots, hub.headsets, staff, now, None)
    desk.ana = arrive(db, desk, "Ana")
    return desk


def give(db: Session, desk: Desk, tag: str, at: datetime | None = None, **person):
    """Hand headset ``tag`` out (to Ana unless a person is named) and commit."""
    person = person or {"code": desk.ana.short_code}
    done = hand_out(db, desk.staff, at or desk.now, tag, centre_id=desk.centre.id, **person)
    db.commit()
    return done


def take_back(db: Session, desk: Desk, tag: str, at: datetime, **kwargs):
    done = return_headset(db, desk.staff, at, tag, centre_id=desk.centre.id, **kwargs)
    db.commit()
    return done


# --- the fleet ------------------------------------------------------------------------------

MANAGER = "camille@example.org"
FACILITATOR = "sami@example.org"
GAP_FACILITATOR = "lea@example.org"


@dataclass
class World:
    marseille: Centre
    gap: Centre
    headsets: list[Headset]


def make_world(db: Session, make_centre, make_staff) -> World:
    """Marseille (3 headsets, a manager and a facilitator) and Gap (a facilitator)."""
    marseille = make_centre("marseille", name="Cité des métiers de Marseille",
                            contact_email="cdm@example.org", phone="04 00 00 00 00",
                            address="4 rue des Consuls", postcode="13002", city="Marseille")
    gap = make_centre("gap", name="Centre associé de Gap", hub_id=marseille.id)
    make_staff(MANAGER, role="manager", centres=("marseille",))
    make_staff(FACILITATOR, centres=("marseille",))
    make_staff(GAP_FACILITATOR, centres=("gap",))
    return World(marseille, gap, add_headsets(db, marseille, 3))


def add_headsets(db: Session, centre: Centre, count: int, prefix: str = "MRS-VR-",
                 **fields: object) -> list[Headset]:
    fields = {"model": "Meta Quest 3", **fields}
    headsets = [Headset(asset_tag=f"{prefix}{n:02d}", serial=f"SN-{prefix}{n}",
                        home_centre_id=centre.id, **fields) for n in range(1, count + 1)]
    db.add_all(headsets)
    db.commit()
    return headsets


def centre_today(centre: Centre) -> date:
    return to_local(utcnow(), centre.timezone).date()


def open_access_slot(db: Session, centre: Centre, walk_in_reserve: int = 0) -> VRSession:
    """One 20-minute open-access slot two days from now at 14:00 (centre time)."""
    today = centre_today(centre)
    rule = OpenAccessRule(centre_id=centre.id, weekday=(today + timedelta(days=2)).weekday(),
                          start_time=time(14, 0), end_time=time(14, 20), seat_minutes=20,
                          buffer_minutes=2, horizon_weeks=1, walk_in_reserve=walk_in_reserve)
    db.add(rule)
    db.flush()
    [slot] = generate_slots(db, rule, today)
    db.commit()
    return slot


def confirmed_bookings(db: Session, slot: VRSession, count: int) -> list[Booking]:
    """``count`` confirmed bookings stored directly, one second apart (the last is the
    newest), without the booking service's capacity check."""
    start = utcnow() - timedelta(hours=1)
    bookings = [Booking(session_id=slot.id, token=secrets.token_urlsafe(16),
                        short_code=secrets.token_hex(4).upper(), name=f"Visitor {n}",
                        created_at=start + timedelta(seconds=n)) for n in range(count)]
    db.add_all(bookings)
    db.commit()
    return bookings


def a_booking(db: Session, world: World) -> Booking:
    """One confirmed booking in a new open-access slot at Marseille."""
    return confirmed_bookings(db, open_access_slot(db, world.marseille), 1)[0]


def workshop(db: Session, centre: Centre, headset: Headset, starts_in: timedelta,
             minutes: int = 120, title: str = "Atelier industrie") -> VRSession:
    """A workshop with ``headset`` allocated for its whole duration."""
    starts_at = utcnow() + starts_in
    session = VRSession(centre_id=centre.id, kind=SessionKind.workshop, title=title,
                        starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
                        headsets_reserved=1, group_size=8)
    db.add(session)
    db.flush()
    db.add(Allocation(headset_id=headset.id, session_id=session.id,
                      starts_at=session.starts_at, ends_at=session.ends_at))
    db.commit()
    return session


def lend(db: Session, headset: Headset, lender: Centre, borrower: Centre,
         days: int = 1) -> Loan:
    """A loan in effect from yesterday to ``days`` from today."""
    today = centre_today(lender)
    loan = Loan(from_centre_id=lender.id, to_centre_id=borrower.id, status="active",
                start_date=today - timedelta(days=1), end_date=today + timedelta(days=days))
    db.add(loan)
    db.flush()
    db.add(LoanHeadset(loan_id=loan.id, headset_id=headset.id))
    db.commit()
    return loan


def fleet_catalogue(db: Session) -> dict:
    """Three jobs, each with its own video: welder, baker, nurse."""
    sector = Sector(slug="industrie", name="Industrie")
    db.add(sector)
    db.flush()
    jobs, videos = [], []
    for slug, title, rome in (("soudeur", "Soudeur", "H2913"), ("boulanger", "Boulanger",
                                                                 "D1102"),
                              ("infirmier", "Infirmier", "J1506")):
        job = Job(slug=slug, title=title, rome_code=rome, sector_id=sector.id)
        video = Video(slug=f"video-{slug}", title=f"Video {title}", duration_seconds=300)
        db.add_all([job, video])
        db.flush()
        db.add(VideoJob(video_id=video.id, job_id=job.id))
        jobs.append(job)
        videos.append(video)
    db.commit()
    return {"jobs": jobs, "videos": videos}


# --- QR codes -------------------------------------------------------------------------------

needs_zbarimg = pytest.mark.skipif(shutil.which("zbarimg") is None,
                                   reason="zbarimg (Debian zbar-tools) is not installed")


def decode_qr(image: Path) -> str:
    """Decode a QR code image with zbarimg (the real decoder, not our own code)."""
    done = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True,
                          text=True, check=True, timeout=30)
    return done.stdout.strip()


# --- the browser ----------------------------------------------------------------------------

SERIOUS = {"serious", "critical"}


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical accessibility violations on the page, described."""
    from axe_playwright_python.sync_playwright import Axe  # only browser tests need it

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in SERIOUS]


def sign_in_to_today(page: Page, url: str) -> list[str]:
    """Open the hub's Today page through the sign-in form (as ``fac@example.org``); returns
    the list that collects JS errors."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/staff/centres/hub/today")
    page.get_by_label("Adresse e-mail").fill("fac@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/staff/centres/hub/today$"))
    return errors


# --- the whole site, for the walks over every page (reflow, axe-core, focus) ----------------

@dataclass(frozen=True)
class SitePage:
    """A page of the site: its address, whose ``{placeholders}`` :func:`site_addresses`
    fills from the demo data, who looks at it ("" for a visitor, else a role among
    :data:`SITE_STAFF`) and the status it answers. Add the pages of a new capability to
    :data:`SITE_PAGES`."""

    path: str
    role: str = ""
    status: int = 200


SITE_PAGES = (
    SitePage("/"),
    SitePage("/book/{slot}"),
    SitePage("/b/{ticket}"),
    SitePage("/b/{ticket}/change"),
    SitePage("/b/{ticket}/cancel"),
    SitePage("/b/{cancelled}"),
    SitePage("/b/{cancelled}/change"),
    SitePage("/catalogue"),
    SitePage("/catalogue?q=soudeur"),
    SitePage("/catalogue?sector={sector}"),
    SitePage("/catalogue?q=zzzz"),
    SitePage("/catalogue/jobs/{job}"),
    SitePage("/catalogue/videos/{video}"),
    SitePage("/staff/login"),
    SitePage("/h/{headset}"),
    SitePage("/no/such/page", status=404),
    SitePage("/staff", "manager"),
    SitePage("/staff/centres/{centre}", "manager"),
    SitePage("/staff/centres/{centre}/today", "manager"),
    SitePage("/staff/centres/{centre}/open-access", "manager"),
    SitePage("/staff/centres/{centre}/labels", "manager"),
    SitePage("/staff/centres/{centre}/videos", "manager"),
    SitePage("/staff/headsets", "manager"),
    SitePage("/staff/headsets/new", "manager"),
    SitePage("/staff/headsets/{headset}", "manager"),
    SitePage("/staff/headsets/{worn_headset}", "manager"),
    SitePage("/no/such/page", "manager", 404),
    SitePage("/staff/centres/{centre}/today", "facilitator"),
    SitePage("/staff/catalogue", "admin"),
    SitePage("/staff/catalogue/import", "admin"),
    SitePage("/staff/catalogue/sectors/new", "admin"),
    SitePage("/staff/catalogue/jobs/new", "admin"),
    SitePage("/staff/catalogue/videos/new", "admin"),
    SitePage("/staff/catalogue/sectors/{sector}/edit", "admin"),
    SitePage("/staff/catalogue/jobs/{job}/edit", "admin"),
    SitePage("/staff/catalogue/videos/{video}/edit", "admin"),
)
# role → (e-mail, centres): the accounts the walks sign in with (password: PASSWORD)
SITE_STAFF = {
    "manager": ("manager@example.org", ("marseille",)),
    "facilitator": ("facilitator@example.org", ("marseille",)),
    "admin": ("admin@example.org", ()),
}


def busy_desk_day(db: Session, staff: StaffUser, centre_slug: str = "marseille") -> dict:
    """Today at a demo centre in full swing: a slot started 5 minutes ago where Ana wears a
    headset, Bilal is done (his headset waits for cleaning), Chloé and a walk-in wait, Dan
    is still expected; one headset's charge is unknown. Returns the people and tags."""
    centre = db.exec(select(Centre).where(Centre.slug == centre_slug)).one()
    now = utcnow().replace(microsecond=0)
    slot = VRSession(centre_id=centre.id, kind=SessionKind.open_access,
                     starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(minutes=15))
    db.add(slot)
    db.flush()
    people = {name: create_booking(db, BookingInput(slot_id=slot.id, name=name,
                                                    age_confirmed=True, health_ack=True),
                                   now - timedelta(hours=2)).booking
              for name in ("Ana", "Bilal", "Chloé", "Dan")}
    for name in ("Ana", "Bilal", "Chloé"):
        check_in(db, staff, now, code=people[name].short_code)
    tags = sorted(db.exec(select(Headset.asset_tag).where(
        Headset.home_centre_id == centre.id)).all())
    hand_out(db, staff, now - timedelta(minutes=4), tags[-1], code=people["Ana"].short_code,
             centre_id=centre.id)
    hand_out(db, staff, now - timedelta(minutes=4), tags[-2], code=people["Bilal"].short_code,
             centre_id=centre.id)
    return_headset(db, staff, now - timedelta(minutes=1), tags[-2], centre_id=centre.id)
    add_walk_in(db, staff, slot.id, now, centre_id=centre.id)
    unknown = db.exec(select(Headset).where(Headset.asset_tag == tags[-3])).one()
    unknown.charge_percent, unknown.charge_recorded_at = None, None
    db.add(unknown)
    db.commit()
    return {"slot": slot, "people": people, "worn": tags[-1], "to_clean": tags[-2],
            "uncharged": tags[-3]}


def site_addresses(db: Session, staff: dict[str, StaffUser]) -> dict[str, str]:
    """The values of :data:`SITE_PAGES`' placeholders, from the demo data (loaded and
    committed), after a busy desk day and two visitor bookings (one cancelled)."""
    desk = busy_desk_day(db, staff["facilitator"])
    slot = db.exec(select(VRSession).where(
        VRSession.kind == SessionKind.open_access, VRSession.starts_at > utcnow() + timedelta(
            hours=1)).order_by(VRSession.starts_at)).first()
    job = db.exec(select(Job).where(Job.slug == "soudeur")).one()
    ticket = create_booking(db, BookingInput(slot_id=slot.id, name="Nora", age_confirmed=True,
                                             health_ack=True, job_ids=[job.id]), utcnow()).booking
    cancelled = create_booking(db, BookingInput(slot_id=slot.id, name="Omar",
                                                age_confirmed=True, health_ack=True),
                               utcnow()).booking
    db.commit()
    cancel_booking(db, cancelled.token, utcnow())
    db.commit()
    video = db.exec(select(Video.slug).join(VideoJob, col(VideoJob.video_id) == Video.id)
                    .where(VideoJob.job_id == job.id)).first()
    sector = db.exec(select(Sector.slug).where(Sector.id == job.sector_id)).one()
    return {"slot": str(slot.id), "ticket": ticket.token, "cancelled": cancelled.token,
            "job": job.slug, "video": video, "sector": sector, "centre": "marseille",
            "headset": "MRS-VR-01", "worn_headset": desk["worn"]}


def sign_in(page: Page, url: str, email: str) -> None:
    """Sign in through the form, in this page's browser context."""
    page.goto(f"{url}/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff$"))


@dataclass
class Site:
    """What conftest's ``site`` fixture makes: a running server on the demo data and the
    values of :data:`SITE_PAGES`' placeholders."""

    url: str
    addresses: dict[str, str]

    def address(self, page: SitePage) -> str:
        return self.url + page.path.format(**self.addresses)

    def pages(self, role: str) -> list[SitePage]:
        return [p for p in SITE_PAGES if p.role == role]
