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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import qrcode
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from vr_booking.models import (
    Allocation,
    Booking,
    Centre,
    Feedback,
    FeedbackJob,
    Headset,
    HeadsetStateChange,
    HeadsetUse,
    Incident,
    Job,
    Loan,
    LoanHeadset,
    OpenAccessRule,
    Participant,
    Sector,
    SessionKind,
    SessionVideo,
    StaffUser,
    Video,
    VideoJob,
    VRSession,
    WatchedVideo,
    utcnow,
)
from vr_booking.services.desk.checkin import check_in
from vr_booking.services.desk.handout import hand_out, return_headset
from vr_booking.services.desk.walk_ins import add_walk_in
from vr_booking.services.fleet.location import headsets_at
from vr_booking.services.groups.inputs import parse_plan
from vr_booking.services.groups.planning import create_group_session
from vr_booking.services.loans.inputs import LoanRequest
from vr_booking.services.loans.lifecycle import create_loan
from vr_booking.services.open_access.booking import BookingInput, cancel_booking, create_booking
from vr_booking.services.open_access.slots import generate_slots
from vr_booking.services.timeutil import day_bounds, local_to_utc, to_local

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


# --- transactions as run --------------------------------------------------------------------

class Transactions:
    """The statements an engine runs while watched, by transaction: (read only?, the first
    word of each statement), the transaction's ``BEGIN`` left out."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.recorded = engine, []

    def __enter__(self) -> "Transactions":
        event.listen(self.engine, "begin", self.begin)
        event.listen(self.engine, "before_cursor_execute", self.statement)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "begin", self.begin)
        event.remove(self.engine, "before_cursor_execute", self.statement)

    def begin(self, connection) -> None:
        reads = connection.get_execution_options().get("sqlite_begin") == "DEFERRED"
        self.recorded.append((reads, []))

    def statement(self, _conn, _cursor, sql: str, *_args) -> None:
        if self.recorded and not sql.startswith("BEGIN"):
            self.recorded[-1][1].append(sql.split()[0].upper())


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
    return loan_of(db, headset, lender, borrower, "active", -1, days)


def loan_of(db: Session, headset: Headset, lender: Centre, borrower: Centre, status: str,
            first: int, last: int) -> Loan:
    """A loan of one headset in ``status``, from ``first`` to ``last`` days from the
    lender's today (stored directly, without the loan services' checks)."""
    today = centre_today(lender)
    loan = Loan(from_centre_id=lender.id, to_centre_id=borrower.id, status=status,
                start_date=today + timedelta(days=first), end_date=today + timedelta(days=last))
    db.add(loan)
    db.flush()
    db.add(LoanHeadset.of(loan, headset.id))
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


def qr_video(path, text: str, width: int = 640, height: int = 480) -> None:
    """A Y4M video (what Chromium's fake camera plays) showing the QR code of ``text``."""
    code = qrcode.QRCode(border=4)
    code.add_data(text)
    code.make()
    matrix = code.get_matrix()
    size = min(width, height) * 5 // 6 // len(matrix)
    left, top = (width - size * len(matrix)) // 2, (height - size * len(matrix)) // 2
    luma = bytearray([235]) * (width * height)  # white; dark modules are 16
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                for y in range(top + row * size, top + (row + 1) * size):
                    start = y * width + left + column * size
                    luma[start:start + size] = bytes([16]) * size
    chroma = bytes([128]) * (width * height // 4)  # grey: no colour
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode()
                     + frame * 5)


@contextmanager
def camera_browser(browser_type, launch_args: dict, video: Path, text: str) -> Iterator:
    """A Chromium whose fake camera plays a video of the QR code of ``text`` (written to
    ``video``), closed on leaving."""
    qr_video(video, text)
    args = [*launch_args["args"], "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    browser = browser_type.launch(**{**launch_args, "args": args})
    try:
        yield browser
    finally:
        browser.close()


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


# --- administration: a network of centres with staff of every role, a real inbox ---------

ADMIN = "root@example.org"
HUB_MANAGER = "camille@example.org"
GAP_MANAGER = "gael@example.org"
HUB_FACILITATOR = "sami@example.org"
LYON_FACILITATOR = "tom@example.org"


@dataclass
class Network:
    """Marseille (a hub) leads Gap; Lyon is another hub. Staff of every role:
    ``ADMIN``, ``HUB_MANAGER`` (Marseille), ``GAP_MANAGER`` (Gap, an associated centre),
    ``HUB_FACILITATOR`` (Marseille), ``GAP_FACILITATOR`` (Gap), ``LYON_FACILITATOR``."""

    marseille: Centre
    gap: Centre
    lyon: Centre
    staff: dict[str, StaffUser]


def make_network(make_centre, make_staff) -> Network:
    marseille = make_centre("marseille", name="Cité des métiers de Marseille", kind="hub")
    gap = make_centre("gap", name="Centre associé de Gap", hub_id=marseille.id)
    lyon = make_centre("lyon", name="Cité des métiers de Lyon", kind="hub")
    people = [(ADMIN, "admin", ()), (HUB_MANAGER, "manager", ("marseille",)),
              (GAP_MANAGER, "manager", ("gap",)), (HUB_FACILITATOR, "facilitator", ("marseille",)),
              (GAP_FACILITATOR, "facilitator", ("gap",)),
              (LYON_FACILITATOR, "facilitator", ("lyon",))]
    staff = {email: make_staff(email, role=role, centres=centres)
             for email, role, centres in people}
    return Network(marseille, gap, lyon, staff)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Inbox:
    """An aiosmtpd handler keeping what a real SMTP conversation delivered (conftest's
    ``smtp_inbox`` fixture; ``port`` is where it listens)."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def link(self, to: str) -> str:
        """The password link in the last message delivered to ``to``."""
        mail = [m for m in self.messages if m["To"] == to][-1]
        return re.search(r"https?://\S+/staff/password/\S+", mail.get_content()).group(0)

    def bodies(self) -> list[str]:
        return [m.get_body(("plain",)).get_content() for m in self.messages]


def password_link(db: Session, to: str) -> str:
    """The password link in the last e-mail queued for ``to`` (the outbox, not sent)."""
    from vr_booking.models import OutboxMessage

    db.commit()
    body = db.exec(select(OutboxMessage.body_text).where(OutboxMessage.to_address == to)
                   .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"/staff/password/\S+", body).group(0)


# --- notifications, offers and privacy ------------------------------------------------------

def slot_at(db: Session, centre: Centre, starts_at: datetime, minutes: int = 20,
            **fields: object) -> VRSession:
    """An open-access slot at ``centre`` starting at ``starts_at`` (no rule)."""
    slot = VRSession(centre_id=centre.id, kind=SessionKind.open_access, starts_at=starts_at,
                     ends_at=starts_at + timedelta(minutes=minutes), **fields)
    db.add(slot)
    db.commit()
    return slot


def visitor(db: Session, slot: VRSession, name: str, email: str | None = None,
            created_at: datetime | None = None, status: str = "confirmed",
            language: str = "en") -> Booking:
    """A booking stored directly (no capacity check), made ``created_at`` (default: now)."""
    booking = Booking(session_id=slot.id, token=secrets.token_urlsafe(16),
                      short_code=secrets.token_hex(4).upper(), name=name, email=email,
                      status=status, language=language, age_confirmed=True,
                      created_at=created_at or utcnow())
    db.add(booking)
    db.commit()
    return booking


def text_columns_containing(db: Session, needles: Sequence[str]) -> list[str]:
    """``table.column`` of every text column, in every table, holding one of ``needles``
    (case-insensitive): where personal data is still stored."""
    from sqlalchemy import String, func, or_
    from sqlmodel import SQLModel

    def is_text(column) -> bool:  # String, Text, and type decorators over them (AutoString)
        return isinstance(getattr(column.type, "impl_instance", column.type), String)

    db.commit()
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if not is_text(column):
                continue
            hits = db.exec(select(func.count()).select_from(table).where(or_(
                *(func.lower(column).contains(n.lower()) for n in needles)))).one()
            if hits:
                found.append(f"{table.name}.{column.name}")
    return found
# --- group sessions -------------------------------------------------------------------------

def local_at(centre: Centre, days: int, at: str) -> datetime:
    """The instant of ``at`` (HH:MM, the centre's time) ``days`` after today at the centre."""
    return local_to_utc(centre_today(centre) + timedelta(days=days), time.fromisoformat(at),
                        centre.timezone)


def group_fields(centre: Centre, days: int = 3, start: str = "09:30", end: str = "11:30",
                 **fields: object) -> dict:
    """A planning request: adults by default (no minors' rules), 2 headsets by count."""
    return {"kind": "workshop", "title": "Atelier", "starts_at": local_at(centre, days, start),
            "ends_at": local_at(centre, days, end), "organisation": "France Travail",
            "group_size": 8, "min_age": 18, "max_age": 60, "headsets": 2, **fields}


def plan_group(db: Session, centre: Centre, *, actor: StaffUser | None = None,
               confirmed: bool = False, now: datetime | None = None, **fields: object):
    """Plan a group session through the planner and commit; returns ``Planned``."""
    done = create_group_session(db, actor, centre, parse_plan(group_fields(centre, **fields)),
                                now or utcnow(), confirmed=confirmed)
    db.commit()
    return done


def move_group(db: Session, group_id: int, starts_at: datetime) -> VRSession:
    """Move a planned session (and its allocations) so that it starts at ``starts_at``: the
    day of a visit planned earlier has come (servers run on the real clock)."""
    group = db.get(VRSession, group_id)
    shift = starts_at - group.starts_at
    allocations = list(db.exec(select(Allocation).where(col(Allocation.session_id) == group_id)))
    for allocation in allocations:
        db.delete(allocation)
    db.flush()
    group.starts_at, group.ends_at = group.starts_at + shift, group.ends_at + shift
    db.add(group)
    db.add_all(Allocation(headset_id=a.headset_id, session_id=group_id,
                          starts_at=a.starts_at + shift, ends_at=a.ends_at + shift)
               for a in allocations)
    db.commit()
    return group


def roster_csv(rows: Sequence[tuple[str, str, str]]) -> str:
    """A roster file as a spreadsheet saves it (semicolons, French header)."""
    return "prénom;code;tranche\n" + "".join(f"{n};{c};{b}\n" for n, c, b in rows)


# --- loans ----------------------------------------------------------------------------------

@dataclass
class LoanNetwork:
    """Marseille (a hub with headsets ``MRS-VR-01``…, a manager and a facilitator) and Gap,
    an associated centre it leads (a manager and a facilitator)."""

    marseille: Centre
    gap: Centre
    headsets: list[Headset]
    manager: StaffUser
    gap_manager: StaffUser
    gap_facilitator: StaffUser
    facilitator: StaffUser


def make_loan_network(db: Session, make_centre, make_staff,
                      headsets: int = 6) -> LoanNetwork:
    marseille = make_centre("marseille", name="Cité des métiers de Marseille", kind="hub")
    gap = make_centre("gap", name="Centre associé de Gap", hub_id=marseille.id)
    return LoanNetwork(marseille, gap, add_headsets(db, marseille, headsets),
                   make_staff(MANAGER, role="manager", centres=("marseille",)),
                   make_staff(GAP_MANAGER, role="manager", centres=("gap",)),
                   make_staff(GAP_FACILITATOR, centres=("gap",)),
                   make_staff(FACILITATOR, centres=("marseille",)))


def loan_request(network: LoanNetwork, tags: Sequence[str], first: int = 0, last: int = 6,
                 **fields: object) -> LoanRequest:
    """A loan from Marseille to Gap of ``tags`` from ``first`` to ``last`` days from today."""
    today = centre_today(network.marseille)
    return LoanRequest(**{"from_centre": "marseille", "to_centre": "gap",
                          "start_date": today + timedelta(days=first),
                          "end_date": today + timedelta(days=last), "headset_tags": list(tags),
                          "kit": ["charger", "cable"], **fields})


def lend_through_service(db: Session, network: LoanNetwork, tags: Sequence[str], first: int = 0,
                         last: int = 6) -> Loan:
    """A planned loan made by the service as Marseille's manager, committed."""
    loan = create_loan(db, network.manager, loan_request(network, tags, first, last), utcnow())
    db.commit()
    return loan


def waitlisted_bookings(db: Session, slot: VRSession, count: int) -> list[Booking]:
    """``count`` bookings on the waiting list of ``slot``, stored directly."""
    bookings = [Booking(session_id=slot.id, token=secrets.token_urlsafe(16),
                        short_code=secrets.token_hex(4).upper(), name=f"Waiting {n}",
                        status="waitlisted") for n in range(count)]
    db.add_all(bookings)
    db.commit()
    return bookings
# --- reports: a fixed month of activity -----------------------------------------------------

REPORT_NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # "now" for the figures of March 2026


def paris(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of 2026 given in Paris time."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Paris"))


@dataclass
class ReportData:
    """What :func:`report_data` builds; the expected figures are in the report tests."""

    marseille: Centre
    gap: Centre
    noumea: Centre
    tahiti: Centre
    headsets: list[Headset]
    jobs: dict[str, Job]
    ana: Booking
    participant: Participant


def _session(db: Session, centre: Centre, kind: str, start: datetime, minutes: int,
             **fields: object) -> VRSession:
    row = VRSession(centre_id=centre.id, kind=kind, starts_at=start,
                    ends_at=start + timedelta(minutes=minutes), **fields)
    db.add(row)
    db.flush()
    return row


def _bookings(db: Session, slot: VRSession, *statuses: str) -> list[Booking]:
    rows = [Booking(session_id=slot.id, token=secrets.token_urlsafe(16),
                    short_code=secrets.token_hex(4).upper(), name=f"V{n}", status=status)
            for n, status in enumerate(statuses)]
    db.add_all(rows)
    db.flush()
    return rows


def _use(db: Session, headset: Headset, slot: VRSession, start: datetime, minutes: int | None,
         videos: Sequence[Video] = (), **person: object) -> HeadsetUse:
    use = HeadsetUse(headset_id=headset.id, session_id=slot.id, started_at=start,
                     returned_at=start + timedelta(minutes=minutes) if minutes else None,
                     **person)
    db.add(use)
    db.flush()
    db.add_all(WatchedVideo(use_id=use.id, video_id=v.id) for v in videos)
    return use


def _report_catalogue(db: Session) -> tuple[dict[str, Job], list[Video]]:
    """Industrie: welder (H2913), boilermaker (H2902); Santé: nurse (J1506). V1 shows the
    welder and the boilermaker, V2 the nurse, V3 the welder and the nurse."""
    industry, health = Sector(slug="industrie", name="Industrie"), Sector(slug="sante",
                                                                         name="Santé")
    db.add_all([industry, health])
    db.flush()
    jobs = {slug: Job(slug=slug, title=title, rome_code=code, sector_id=sector.id)
            for slug, title, code, sector in (
                ("soudeur", "Soudeur", "H2913", industry),
                ("chaudronnier", "Chaudronnier", "H2902", industry),
                ("infirmier", "Infirmier", "J1506", health))}
    videos = [Video(slug=f"v{n}", title=f"V{n}", duration_seconds=300) for n in (1, 2, 3)]
    db.add_all([*jobs.values(), *videos])
    db.flush()
    db.add_all(VideoJob(video_id=video.id, job_id=jobs[slug].id) for video, slug in (
        (videos[0], "soudeur"), (videos[0], "chaudronnier"), (videos[1], "infirmier"),
        (videos[2], "soudeur"), (videos[2], "infirmier")))
    return jobs, videos


def report_data(db: Session) -> ReportData:
    """March 2026 at Marseille (Paris time), with a loan to Gap, and sessions at Nouméa
    (UTC+11) and Tahiti (UTC−10) that fall in another month in UTC than locally."""
    marseille = Centre(slug="marseille", name="Marseille", kind="hub")
    db.add(marseille)
    db.flush()
    gap = Centre(slug="gap", name="Gap", hub_id=marseille.id)
    noumea = Centre(slug="noumea", name="Nouméa", kind="hub", timezone="Pacific/Noumea")
    tahiti = Centre(slug="tahiti", name="Tahiti", kind="hub", timezone="Pacific/Tahiti")
    db.add_all([gap, noumea, tahiti])
    db.flush()
    h1, h2, h3 = (Headset(asset_tag=f"MRS-VR-0{n}", home_centre_id=marseille.id)
                  for n in (1, 2, 3))
    h3.service_state = "retired"
    db.add_all([h1, h2, h3])
    db.flush()
    db.add(HeadsetStateChange(headset_id=h3.id, from_state="in_service", to_state="retired",
                              reason="worn out", changed_at=paris(1, 5, 10)))
    jobs, (v1, v2, v3) = _report_catalogue(db)
    data = ReportData(marseille, gap, noumea, tahiti, [h1, h2, h3], jobs, None, None)
    _open_access_month(db, data, v1, v2, v3)
    _groups_month(db, data, v1, v2, v3)
    _survey_month(db, data)
    _elsewhere(db, data)
    db.commit()
    return data


def _open_access_month(db: Session, data: ReportData, v1: Video, v2: Video,
                       v3: Video) -> None:
    m, (h1, h2, _h3) = data.marseille, data.headsets
    a = _session(db, m, "open_access", paris(3, 4, 14), 20)
    b = _session(db, m, "open_access", paris(3, 4, 14, 20), 20)
    c = _session(db, m, "open_access", paris(3, 11, 14), 20)
    d = _session(db, m, "open_access", paris(3, 18, 14), 20, status="cancelled")
    e = _session(db, m, "open_access", paris(3, 25, 14), 20)  # after REPORT_NOW
    ana, ben, _cy, _dee, _eve = _bookings(db, a, "checked_in", "checked_in", "no_show",
                                          "cancelled", "waitlisted")
    [fay] = _bookings(db, b, "checked_in")
    _bookings(db, c, "no_show")
    _bookings(db, d, "confirmed")
    _bookings(db, e, "confirmed")
    db.add_all([Participant(session_id=b.id, is_walk_in=True, checked_in_at=b.starts_at),
                *(Participant(session_id=c.id, is_walk_in=True, checked_in_at=c.starts_at)
                  for _ in range(2))])
    _use(db, h1, a, paris(3, 4, 14), 15, [v1, v2], booking_id=ana.id)
    _use(db, h2, a, paris(3, 4, 14), 18, [v1], booking_id=ben.id)
    _use(db, h1, b, paris(3, 4, 14, 20), 15, [v3], booking_id=fay.id)
    _use(db, h1, c, paris(3, 11, 14), None, booking_id=fay.id)  # never returned: not counted
    db.add(Incident(kind="felt_unwell", session_id=a.id, booking_id=ben.id,
                    occurred_at=paris(3, 4, 14, 10)))
    db.add(Incident(kind="damage", headset_id=h1.id, occurred_at=paris(3, 15, 9)))
    data.ana = ana
    # MRS-VR-02 is lent to Gap from the 9th to the 11th: away from Marseille's slot C.
    loan = Loan(from_centre_id=m.id, to_centre_id=data.gap.id, start_date=date(2026, 3, 9),
                end_date=date(2026, 3, 11), status="returned",
                returned_at=datetime(2026, 3, 12, 10, tzinfo=UTC))
    db.add(loan)
    db.flush()
    db.add(LoanHeadset.of(loan, h2.id))
    gap_slot = _session(db, data.gap, "open_access", paris(3, 10, 10), 60)
    [gil] = _bookings(db, gap_slot, "checked_in")
    _use(db, h2, gap_slot, paris(3, 10, 10), 45, booking_id=gil.id)
    db.add(Incident(kind="other", session_id=gap_slot.id, occurred_at=paris(3, 10, 10, 30)))


def _groups_month(db: Session, data: ReportData, v1: Video, v2: Video, v3: Video) -> None:
    m, h1 = data.marseille, data.headsets[0]
    workshop = _session(db, m, "workshop", paris(3, 10, 9), 120, status="closed",
                        attendance=8, esf_reported=True)
    visit = _session(db, m, "group_visit", paris(3, 12, 9), 60)
    event = _session(db, m, "discovery_event", paris(3, 13, 9), 60, status="cancelled",
                     attendance=20)
    for row in (workshop, visit):
        db.add(Allocation(headset_id=h1.id, session_id=row.id, starts_at=row.starts_at,
                          ends_at=row.ends_at))
    db.add_all([SessionVideo(session_id=workshop.id, video_id=v1.id, watched=True),
                SessionVideo(session_id=workshop.id, video_id=v2.id, watched=False),
                SessionVideo(session_id=visit.id, video_id=v3.id, watched=True),
                SessionVideo(session_id=event.id, video_id=v2.id, watched=True)])
    here = workshop.starts_at
    esf = [("female", "13-17", "in_education", "2"), ("male", "18-24", "unemployed", "3"),
           ("female", "25-54", "unemployed", "5"), ("prefer_not", "55+", "", "prefer_not"),
           ("", "25-54", "employed", "")]
    people = [Participant(session_id=workshop.id, gender=g, age_band=a, labour_status=s,
                          isced_level=i, checked_in_at=here) for g, a, s, i in esf]
    people[0].code = "W1-ANA"
    people.append(Participant(session_id=workshop.id, gender="female"))  # absent
    people += [Participant(session_id=visit.id, checked_in_at=visit.starts_at,
                           gender="female", age_band="25-54") for _ in range(3)]
    people.append(Participant(session_id=visit.id))  # absent
    db.add_all(people)
    db.flush()
    _use(db, h1, workshop, paris(3, 10, 9), 30, participant_id=people[0].id)
    data.participant = people[0]


def _answer(db: Session, centre: Centre, at: datetime, answers: tuple[bool, bool, bool],
            rating: int | None, jobs: Sequence[Job] = (), **who: object) -> None:
    learned, further, discomfort = answers
    row = Feedback(centre_id=centre.id, learned=learned, go_further=further,
                   discomfort=discomfort, rating=rating, created_at=at, **who)
    db.add(row)
    db.flush()
    db.add_all(FeedbackJob(feedback_id=row.id, job_id=job.id) for job in jobs)


def _survey_month(db: Session, data: ReportData) -> None:
    m, jobs = data.marseille, data.jobs
    _answer(db, m, paris(3, 4, 15), (True, True, False), 8, [jobs["soudeur"]],
            booking_id=data.ana.id, comment="Super")
    _answer(db, m, paris(3, 4, 15, 5), (True, False, True), None)
    _answer(db, m, paris(3, 11, 15), (False, False, False), 6,
            [jobs["soudeur"], jobs["infirmier"]])
    _answer(db, m, paris(3, 10, 12), (True, True, False), 10,
            participant_id=data.participant.id)
    _answer(db, m, datetime(2026, 2, 28, 23, 30, tzinfo=UTC), (True, False, False), None)
    _answer(db, m, datetime(2026, 3, 31, 22, 30, tzinfo=UTC), (False, False, True), 1)


def _elsewhere(db: Session, data: ReportData) -> None:
    """Sessions whose local month differs from their UTC month."""
    _session(db, data.marseille, "discovery_event",
             datetime(2026, 1, 31, 23, 30, tzinfo=UTC), 90, attendance=12)  # 1 Feb in Paris
    _session(db, data.noumea, "workshop", datetime(2026, 2, 28, 14, tzinfo=UTC), 60,
             attendance=3)  # 1 March in Nouméa
    _session(db, data.tahiti, "workshop", datetime(2026, 3, 1, 5, tzinfo=UTC), 60,
             attendance=7)  # 28 February in Tahiti
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
    is still expected; one headset's charge is unknown. Returns the people and tags.

    Servers under test run on the real clock, so in the five minutes after the centre's
    midnight the slot starts at midnight instead (a slot of yesterday would refuse today's
    check-ins), and what happened in it keeps its order within the shorter time."""
    centre = db.exec(select(Centre).where(Centre.slug == centre_slug)).one()
    now = utcnow().replace(microsecond=0)
    midnight, _end = day_bounds(to_local(now, centre.timezone).date(), centre.timezone)
    lead = min(timedelta(minutes=5), now - midnight)
    slot = VRSession(centre_id=centre.id, kind=SessionKind.open_access,
                     starts_at=now - lead, ends_at=now + timedelta(minutes=15))
    db.add(slot)
    db.flush()
    people = {name: create_booking(db, BookingInput(slot_id=slot.id, name=name,
                                                    age_confirmed=True, health_ack=True),
                                   now - timedelta(hours=2)).booking
              for name in ("Ana", "Bilal", "Chloé", "Dan")}
    for name in ("Ana", "Bilal", "Chloé"):
        check_in(db, staff, now, code=people[name].short_code)
    # the headsets at the centre today: the demo lends some of Marseille's away
    tags = sorted(h.asset_tag for h in headsets_at(db, centre, slot.starts_at, slot.ends_at))
    hand_out(db, staff, now - lead * 4 / 5, tags[-1], code=people["Ana"].short_code,
             centre_id=centre.id)
    hand_out(db, staff, now - lead * 4 / 5, tags[-2], code=people["Bilal"].short_code,
             centre_id=centre.id)
    return_headset(db, staff, now - lead / 5, tags[-2], centre_id=centre.id)
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
            "headset": "MRS-VR-01", "worn_headset": desk["worn"],
            "used_headset": desk["to_clean"]}


def network_routes(hub: str, slot: int, search: str) -> dict[str, tuple[str, str]]:
    """The pages and API routes whose cost must not grow with the network: name → (who asks,
    path). Who: "public", "admin", "manager" (the hub's), "desk" (a facilitator of the hub)
    or "api" (the admin's token). ``tests/web/test_statement_counts.py`` counts their
    statements at two network sizes; ``bench/routes.py`` times them. Add such a route here."""
    return {
        "GET /": ("public", "/"),
        "GET /book/{slot}": ("public", f"/book/{slot}"),
        "GET /api/v1/slots": ("public", f"/api/v1/slots?centre={hub}"),
        "GET /centres/{hub}/places": ("public", f"/centres/{hub}/places"),
        "GET /catalogue?q=": ("public", f"/catalogue?q={search}"),
        "GET /api/v1/jobs?q=": ("public", f"/api/v1/jobs?q={search}&limit=20"),
        "GET Today": ("desk", f"/staff/centres/{hub}/today"),
        "GET /staff/headsets (admin)": ("admin", "/staff/headsets"),
        "GET /staff/headsets (manager)": ("manager", "/staff/headsets"),
        "GET /staff/headsets (desk)": ("desk", "/staff/headsets"),
        "GET /api/v1/headsets (admin)": ("api", "/api/v1/headsets?limit=50"),
        "GET board (manager)": ("manager", f"/staff/centres/{hub}/board"),
        "GET /staff/calendar (admin)": ("admin", "/staff/calendar"),
        "GET /staff/calendar (manager)": ("manager", "/staff/calendar?view=month"),
        "GET /staff/reports (admin)": ("admin", "/staff/reports"),
        "GET /staff/reports (manager)": ("manager", "/staff/reports"),
    }


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
