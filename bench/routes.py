"""Time the pages and API routes whose cost must not grow with the network, and count their
SQL statements, on a synthetic network (bench/network.py).

    python bench/routes.py --db sqlite|postgres --size small|hubs40|large [--repeat 30]

The app runs in this process (one worker) on the generated database; each route is asked
``--repeat`` times after one warm-up request. It prints p50/p95, the p50 of the CPU time the
process spent on a request (the app's whole work on SQLite; on PostgreSQL the server's part
is not in it; it leaves out waiting for a core, though a busy machine still slows it) and
statements per request; then the same for a visitor's booking (with an e-mail) of the hub's next
open-access slots, one new visitor a request.
It measures; it asserts nothing.
"""

import argparse
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from measuring import counting, network_options, open_network, percentile

from factories import login, network_routes
from vr_booking.config import Settings
from vr_booking.models import Centre, StaffUser, VRSession
from vr_booking.services.admin.accounts import create_staff
from vr_booking.services.admin.tokens import issue_api_token
from vr_booking.web.app import create_app
from vr_booking.web.collector import settle_after_start_up

PASSWORD = "benchmark password"  # noqa: S105


def _staff(engine, hub_slug: str) -> dict[str, str]:
    """The benchmark's staff (made once: a network given by --url may be measured again), a
    fresh API token, the hub's next slot and its next open-access slots."""
    with Session(engine) as session:
        if session.exec(select(StaffUser).where(StaffUser.email == "admin@bench.org")).first() \
                is None:
            create_staff(session, email="admin@bench.org", name="Admin", role="admin",
                         centre_slugs=[], password=PASSWORD)
            create_staff(session, email="manager@bench.org", name="Manager", role="manager",
                         centre_slugs=[hub_slug], password=PASSWORD)
            create_staff(session, email="desk@bench.org", name="Desk", role="facilitator",
                         centre_slugs=[hub_slug], password=PASSWORD)
        token = issue_api_token(session, "admin@bench.org")
        session.commit()
        slots = list(session.exec(select(VRSession.id).join(Centre).where(
            Centre.slug == hub_slug, VRSession.kind == "open_access",
            VRSession.starts_at > datetime.now(UTC)).order_by(VRSession.starts_at)
            .limit(100)))
    return {"token": token, "slot": slots[0], "slots": slots}


@dataclass
class Measured:
    """A route asked ``repeat`` times: wall and CPU seconds of each request, statements a
    request, the last status."""

    times: list[float]
    cpu: list[float]
    statements: int
    status: int


def measure(engine, ask: Callable[[int], int], repeat: int) -> Measured:
    """``ask(n)`` (a request's status) once to warm up, then timed for n = 1..repeat."""
    ask(0)
    times, cpu, status = [], [], 0
    with counting(engine) as seen:
        for n in range(1, repeat + 1):
            started, used = time.perf_counter(), time.process_time()
            status = ask(n)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
    return Measured(times, cpu, seen.count // repeat, status)


def get(client: TestClient, path: str, headers: dict, _n: int) -> int:
    return client.get(path, headers=headers).status_code


def book(client: TestClient, slots: list[int], n: int) -> int:
    """A booking by a new visitor, with an e-mail, of the ``n``-th slot (in turn)."""
    name = f"bench-{secrets.token_hex(4)}"
    return client.post("/api/v1/bookings", json={
        "slot_id": slots[n % len(slots)], "name": name, "email": f"{name}@example.org",
        "age_confirmed": True, "health_ack": True}).status_code


def _line(name: str, measured: Measured) -> str:
    return (f"{name:34} {percentile(measured.times, 50) * 1000:8.1f} "
            f"{percentile(measured.times, 95) * 1000:8.1f} "
            f"{percentile(measured.cpu, 50) * 1000:8.1f} "
            f"{measured.statements:11d} {measured.status:7d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    network_options(parser, repeat=30)
    args = parser.parse_args()
    url, engine = open_network(args)
    hub = "hub-001"
    made = _staff(engine, hub)
    token = made["token"]
    settings = Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()),
                        secret_key=secrets.token_urlsafe(32), base_url="http://bench",
                        booking_rate_limit_per_minute=10**9, max_upcoming_bookings_per_address=0)
    app = create_app(settings, engine)
    settle_after_start_up()  # as a server's worker does after building its app
    with TestClient(app) as public, TestClient(app) as admin, TestClient(app) as manager, \
            TestClient(app) as desk:
        login(admin, "admin@bench.org", PASSWORD)
        login(manager, "manager@bench.org", PASSWORD)
        login(desk, "desk@bench.org", PASSWORD)
        clients = {"public": public, "admin": admin, "manager": manager, "desk": desk,
                   "api": public}
        print(f"size={args.size} db={engine.dialect.name} repeat={args.repeat}")
        print(f"{'route':34} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>8} {'statements':>11} "
              f"{'status':>7}")
        for name, (who, path) in network_routes(hub, made["slot"], "tech").items():
            headers = {"Authorization": f"Bearer {token}"} if who == "api" else {}
            print(_line(name, measure(engine, partial(get, clients[who], path, headers),
                                      args.repeat)))
        print(_line("POST /api/v1/bookings",
                    measure(engine, partial(book, public, made["slots"]), args.repeat)))
    engine.dispose()


if __name__ == "__main__":
    main()
