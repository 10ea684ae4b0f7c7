"""The Wednesday rush: many visitors booking the same centre's open-access slots at once,
against a real server, beside the floor (a bare one-row insert on the same stack).

    python bench/rush.py [--db sqlite|postgres] [--workers 1 4] [--clients 100 500 1000]
                         [--email]

For every (workers, clients) it starts `vr-booking serve` on a fresh database (one centre,
10 headsets, next Wednesday's six 20-minute slots) and bench/floor_app.py, warms both up
(200 requests each, sequentially, at another centre / into the floor's table), sends one
request per client all at once, and prints throughput, p50/p95/p99, errors (5xx or
transport), the confirmed count against the capacity, the booking/floor ratio, the CPU
time each server spent a request (its processes' user and system time during the rush,
divided by the requests: it leaves out waiting for a core and for the database), the
servers' peak memory and, on PostgreSQL, how many lock requests were waiting (sampled every
20 ms during the rush).
``--email``: every visitor gives an e-mail address (so each booking queues its e-mail).
``--sending`` (with ``--email``): during the rush, the outbox is being delivered, as the
scheduler's outbox sweep does every 30 seconds, to a local SMTP server that answers each
message in 50 ms (the warm-up's 200 confirmations are waiting when the rush starts).
It measures; it asserts nothing.
"""

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import text
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from factories import LiveServer, free_port, start_server, stop_server
from vr_booking import migrations
from vr_booking.config import Settings
from vr_booking.db import make_engine
from vr_booking.models import Centre, Headset, OpenAccessRule, VRSession, utcnow
from vr_booking.services.mail import deliver_outbox
from vr_booking.services.open_access.slots import generate_slots

FLOOR_APP = Path(__file__).resolve().parent / "floor_app.py"
UNLIMITED = "1000000000"
WARM_UP = 200  # requests to each server before the rush (every worker gets some)
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def fresh_url(db: str) -> str:
    """A new SQLite file, or the PostgreSQL database ``bench_rush`` (its own: other
    benchmarks empty ``bench``)."""
    if db == "postgres":
        with make_engine(f"{PG_SERVER}/postgres").connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("DROP DATABASE IF EXISTS bench_rush WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE bench_rush"))
        return f"{PG_SERVER}/bench_rush"
    return f"sqlite:///{tempfile.mkdtemp()}/rush.sqlite3"


@dataclass
class Run:
    seconds: float
    latencies: list[float]
    codes: dict[int, int]

    @property
    def errors(self) -> int:
        return sum(n for code, n in self.codes.items() if code >= 500 or code == 0)

    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000


def open_access_centre(session: Session, slug: str, start: clock, end: clock,
                       weeks: int) -> list[int]:
    """A hub with 10 headsets and a Wednesday rule from ``start`` to ``end`` for ``weeks``
    weeks, its slots generated from tomorrow; returns their ids, by start."""
    centre = Centre(slug=slug, name=slug.title(), kind="hub")
    session.add(centre)
    session.flush()
    session.add_all(Headset(asset_tag=f"{slug.upper()}-VR-{n:02d}", home_centre_id=centre.id)
                    for n in range(1, 11))
    rule = OpenAccessRule(centre_id=centre.id, weekday=2, start_time=start, end_time=end,
                          horizon_weeks=weeks)
    session.add(rule)
    session.flush()
    generate_slots(session, rule, date.today() + timedelta(days=1))
    session.commit()
    return list(session.exec(select(VRSession.id).where(VRSession.centre_id == centre.id)
                             .order_by(VRSession.starts_at)))


def prepare(url: str) -> tuple[list[int], list[int]]:
    """Two centres with next Wednesday's slots: ``rush``, whose slots the visitors book, and
    ``warm``, whose slots warm the server up. Returns their slot ids."""
    migrations.upgrade("head", url)
    engine = make_engine(url)
    with Session(engine) as session:
        ids = [open_access_centre(session, slug, clock(14), clock(16), 1)
               for slug in ("rush", "warm")]
    engine.dispose()
    return ids[0], ids[1]


def warm_up(app: LiveServer, floor: LiveServer, slots: list[int]) -> None:
    """Each server answers requests before the rush, as one that has been running would have
    (imports done, statements compiled, connections open): bookings at the other centre
    (booked, waiting and full) and bare inserts."""
    with httpx.Client(timeout=60) as client:
        for n in range(WARM_UP):
            client.post(f"{app.url}/api/v1/bookings", json={
                "slot_id": slots[n % len(slots)], "name": f"W{n}", "age_confirmed": True,
                "health_ack": True, "email": f"w{n}@example.org"})
            client.post(f"{floor.url}/floor", json={"name": f"W{n}"})


async def fire(url: str, bodies: list[dict]) -> Run:
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:
        async def one(body: dict) -> tuple[int, float]:
            started = time.perf_counter()
            try:
                code = (await client.post(url, json=body)).status_code
            except httpx.HTTPError:
                code = 0
            return code, time.perf_counter() - started

        started = time.perf_counter()
        results = await asyncio.gather(*(one(b) for b in bodies))
        seconds = time.perf_counter() - started
    codes: dict[int, int] = {}
    for code, _latency in results:
        codes[code] = codes.get(code, 0) + 1
    return Run(seconds, [latency for _code, latency in results], codes)


def server_pids(server: LiveServer) -> list[int]:
    """The server's process and its worker processes."""
    pids = [server.process.pid]
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    return pids


def cpu_seconds(server: LiveServer) -> float:
    """CPU time (user and system) the server and its workers have used so far."""
    ticks = 0
    for pid in server_pids(server):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def peak_memory_mib(server: LiveServer) -> float:
    """The largest resident set (VmHWM) of the server and its worker processes, summed."""
    total = 0
    for pid in server_pids(server):
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return total / 1024


class LockWaits(threading.Thread):
    """Samples PostgreSQL's lock requests not yet granted while the bookings run: how many
    transactions wait on a lock (a row lock is waited on through its tuple or transaction
    id lock). Average and peak, or nothing on SQLite."""

    QUERY = text("SELECT count(*) FROM pg_locks WHERE NOT granted")

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.samples, self.stop = url, [], threading.Event()

    def run(self) -> None:
        if not self.url.startswith("postgresql"):
            return
        engine = make_engine(self.url)
        with engine.connect() as conn:
            while not self.stop.wait(0.02):
                self.samples.append(conn.execute(self.QUERY).scalar_one())
                conn.rollback()
        engine.dispose()

    def summary(self) -> str:
        self.stop.set()
        self.join()
        if not self.samples:
            return "    -     -"
        return f"{statistics.mean(self.samples):5.1f} {max(self.samples):5d}"


class SlowMailServer:
    """An SMTP server's answer to each message, 50 ms after receiving it."""

    async def handle_DATA(self, _server, _session, _envelope) -> str:
        await asyncio.sleep(0.05)
        return "250 OK"


class Sending(threading.Thread):
    """Delivers the outbox, ten messages at a time, to a :class:`SlowMailServer` until
    stopped: the scheduler's outbox sweep, running during the rush."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.sent, self.stop = url, 0, threading.Event()

    def run(self) -> None:
        port = free_port()
        controller = Controller(SlowMailServer(), hostname="127.0.0.1", port=port)
        controller.start()
        engine = make_engine(self.url)
        settings = Settings(database_url=self.url, data_dir=Path(tempfile.mkdtemp()),
                            secret_key=secrets.token_urlsafe(32), smtp_host="127.0.0.1",
                            smtp_port=port)
        try:
            while not self.stop.is_set():
                sent = deliver_outbox(engine, settings, utcnow(), batch=10)
                self.sent += sent
                if not sent:  # nothing due: wait as a sweep would, without spinning
                    self.stop.wait(0.5)
        finally:
            engine.dispose()
            controller.stop()

    def done(self) -> int:
        self.stop.set()
        self.join()
        return self.sent


def one_run(db: str, workers: int, clients: int, email: bool = False,
            sending: bool = False) -> str:
    tmp = Path(tempfile.mkdtemp())
    url = fresh_url(db)
    slots, warm_slots = prepare(url)
    app = start_server(url, tmp / "app", workers=workers,
                       booking_rate_limit_per_minute=UNLIMITED,
                       max_upcoming_bookings_per_address="0")
    floor = start_server(url, tmp / "floor", command=[sys.executable, str(FLOOR_APP),
                                                      "--workers", str(workers)])
    try:
        warm_up(app, floor, warm_slots)
        bodies = [{"slot_id": slots[n % len(slots)], "name": f"V{n}", "age_confirmed": True,
                   "health_ack": True, **({"email": f"v{n}@example.org"} if email else {})}
                  for n in range(clients)]
        waits = LockWaits(url)
        waits.start()
        sender = Sending(url) if sending else None
        if sender:
            sender.start()
        used = cpu_seconds(app)
        booking = asyncio.run(fire(f"{app.url}/api/v1/bookings", bodies))
        booking_cpu = (cpu_seconds(app) - used) / clients * 1000
        waiting = waits.summary()
        sent = sender.done() if sender else 0
        used = cpu_seconds(floor)
        base = asyncio.run(fire(f"{floor.url}/floor", [{"name": f"V{n}"} for n in range(clients)]))
        floor_cpu = (cpu_seconds(floor) - used) / clients * 1000
        seats = httpx.get(f"{app.url}/api/v1/slots", params={"centre": "rush"}).json()["items"]
        memory = peak_memory_mib(app)
    finally:
        stop_server(app)
        stop_server(floor)
    confirmed = sum(s["confirmed"] for s in seats)
    capacity = sum(s["capacity"] for s in seats)
    return (f"{db:8} {workers:2d} {clients:5d} | {booking.throughput():7.1f} "
            f"{booking.percentile(50):7.0f} {booking.percentile(95):7.0f} "
            f"{booking.percentile(99):7.0f} {booking.errors:4d} {confirmed:4d}/{capacity:<4d} | "
            f"{base.throughput():7.1f} {booking.throughput() / base.throughput():6.2f} | "
            f"{booking_cpu:5.1f} {floor_cpu:5.1f} | {memory:6.0f} | {waiting}"
            + (f" | {sent} e-mails sent meanwhile" if sending else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"],
                        default=["sqlite", "postgres"])
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 4])
    parser.add_argument("--clients", nargs="+", type=int, default=[100, 500, 1000])
    parser.add_argument("--email", action="store_true", help="visitors give an e-mail address")
    parser.add_argument("--sending", action="store_true",
                        help="the outbox is delivered to a slow mail server during the rush")
    args = parser.parse_args()
    print("load average (1, 5, 15 min): " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    print("database  w clients | book/s   p50ms   p95ms   p99ms  5xx conf/cap | floor/s  ratio "
          "| cpu ms: book floor | peak MiB | waiting avg  max")
    for db in args.db:
        for workers in args.workers:
            for clients in args.clients:
                print(one_run(db, workers, clients, args.email, args.sending), flush=True)
    print("load average (1, 5, 15 min): " + " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
