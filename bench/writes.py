"""Time the main write API routes on a synthetic network (bench/network.py) and count their
SQL statements: what a desk, a manager and a visitor change must not cost more as the network
grows.

    python bench/writes.py --db sqlite|postgres --size small|hubs40|large [--repeat 30]
                           [--url URL] [--slowest 3]

The app runs in this process (one worker) on the generated database, as the admin's API token
(Bearer) acting at the hub ``hub-001``. Each route is asked ``--repeat`` times after one
warm-up request, each time on fresh objects made beforehand (untimed): a visitor's booking to
cancel, a ticket of today to check in, a group session to plan then cancel, a loan to an
associated centre to make then cancel, a checked-in visitor to hand a headset to then take it
back. It prints p50/p95, the mean time spent in SQL statements (cursor events), statements
per request and the last status (2xx expected; a refusal is printed to stderr);
``--slowest N`` also prints each route's N slowest statements (total time over the requests).
It measures; it asserts nothing.
"""

import argparse
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measuring import Statements, counting, network_options, open_network, percentile
from routes import _staff

from vr_booking.config import Settings
from vr_booking.models import Centre, Headset, VRSession
from vr_booking.web.app import create_app
from vr_booking.web.collector import settle_after_start_up

HUB = "hub-001"
BORROWER = "hub-001-1"
TODAY_SLOT_MINUTES = 20


@dataclass
class Result:
    name: str
    times: list[float]
    statements: Statements
    status: int
    repeat: int


def timed(engine: Engine, name: str, repeat: int, request: Callable[[Any], httpx.Response],
          before: Callable[[int], Any] = lambda n: n,
          after: Callable[[httpx.Response], object] = lambda _r: None) -> Result:
    """``request(before(n))`` for n = 0 (warm-up) then 1..repeat, timed and counted; what
    ``before`` makes and ``after`` undoes is neither."""
    counted = Statements()
    times, status = [], 0
    for n in range(repeat + 1):
        made = before(n)
        with counting(engine, counted if n > 0 else Statements()):
            started = time.perf_counter()
            response = request(made)
            elapsed = time.perf_counter() - started
        status = _check(name, response)
        after(response)
        if n > 0:
            times.append(elapsed)
    return Result(name, times, counted, status, repeat)


def _check(name: str, response: httpx.Response) -> int:
    if not response.is_success:
        print(f"{name}: {response.status_code} {response.text[:300]}", file=sys.stderr)
    return response.status_code


# --- fresh objects (untimed) ------------------------------------------------------------------

def _hub(engine: Engine) -> Centre:
    with Session(engine) as session:
        return session.exec(select(Centre).where(Centre.slug == HUB)).one()


def today_slots(engine: Engine, hub: Centre, count: int) -> list[int]:
    """Open-access slots at the hub later today (the desk acts on today's sessions only),
    one after the other from the next quarter hour."""
    now = datetime.now(UTC)
    first = now.replace(second=0, microsecond=0) + timedelta(minutes=15 - now.minute % 15)
    seat = timedelta(minutes=TODAY_SLOT_MINUTES)
    with Session(engine) as session:
        slots = [VRSession(centre_id=hub.id, kind="open_access", starts_at=first + n * seat,
                           ends_at=first + (n + 1) * seat) for n in range(count)]
        session.add_all(slots)
        session.commit()
        return [s.id for s in slots]


def book(client: TestClient, slot_id: int) -> dict:
    """A new visitor's booking (with an e-mail) of ``slot_id``, through the API."""
    name = f"bench-{secrets.token_hex(4)}"
    response = client.post("/api/v1/bookings", json={
        "slot_id": slot_id, "name": name, "email": f"{name}@example.org",
        "age_confirmed": True, "health_ack": True})
    response.raise_for_status()
    return response.json()


def hub_tags(engine: Engine, hub: Centre) -> list[str]:
    """The hub's asset tags but the first seven (the generator lends two and reserves five
    for a workshop)."""
    with Session(engine) as session:
        return list(session.exec(select(Headset.asset_tag).where(
            Headset.home_centre_id == hub.id).order_by(Headset.asset_tag)))[7:]


def quiet_day(hub: Centre) -> date:
    """A local day of next week without open-access slots (not a Wednesday), for loans and
    group sessions that strand nobody's booking."""
    day = datetime.now(ZoneInfo(hub.timezone)).date() + timedelta(days=8)
    return day if day.weekday() != 2 else day + timedelta(days=1)


def at(hub: Centre, day: date, hour: int) -> str:
    return datetime(day.year, day.month, day.day, hour,
                    tzinfo=ZoneInfo(hub.timezone)).isoformat()


# --- the routes -------------------------------------------------------------------------------

@dataclass
class Bench:
    client: TestClient
    engine: Engine
    hub: Centre
    headers: dict
    repeat: int

    def post(self, path: str, body: dict | None = None) -> httpx.Response:
        return self.client.post(path, json=body, headers=self.headers)

    def cancel_booking(self, slots: list[int]) -> Result:
        return timed(self.engine, "POST bookings/{token}/cancel", self.repeat,
                     lambda token: self.client.post(f"/api/v1/bookings/{token}/cancel"),
                     before=lambda n: book(self.client, slots[n % len(slots)])["token"])

    def check_in(self, tokens: list[str]) -> Result:
        return timed(self.engine, "POST /checkins", self.repeat, lambda n: self.post(
            "/api/v1/checkins", {"token": tokens[n], "centre": HUB}))

    def walk_in(self, slot_id: int) -> Result:
        return timed(self.engine, "POST /walk-ins", self.repeat, lambda _n: self.post(
            "/api/v1/walk-ins", {"slot_id": slot_id, "age_band": "18-24"}))

    def hand_out_and_return(self, tokens: list[str], tags: list[str]) -> list[Result]:
        """Each checked-in visitor gets another headset, cleaned first (one returned by an
        earlier run of the benchmark is to clean)."""
        out = timed(self.engine, "POST /handouts", self.repeat, lambda n: self.post(
            "/api/v1/handouts", {"headset": tags[n], "token": tokens[n], "centre": HUB}),
            before=lambda n: self._clean(tags[n], n))
        back = timed(self.engine, "POST /returns", self.repeat, lambda n: self.post(
            "/api/v1/returns", {"headset": tags[n]}))
        return [out, back]

    def _clean(self, tag: str, n: int) -> int:
        self.post("/api/v1/cleanings", {"headset": tag, "method": "wipes"}).raise_for_status()
        return n

    def _plan(self, tags: list[str]) -> httpx.Response:
        day = quiet_day(self.hub)
        return self.post("/api/v1/group-sessions", {
            "centre": HUB, "kind": "workshop", "title": "Bench",
            "starts_at": at(self.hub, day, 9), "ends_at": at(self.hub, day, 11),
            "group_size": 10, "headset_tags": tags[:5]})

    def group(self, tags: list[str]) -> list[Result]:
        """A workshop on a quiet day reserving five headsets, cancelled before the next."""
        planned = timed(self.engine, "POST /group-sessions", self.repeat,
                        lambda _n: self._plan(tags), after=lambda r: self.post(
                            f"/api/v1/group-sessions/{r.json()['id']}/cancel"))
        cancelled = timed(self.engine, "POST group-sessions/{id}/cancel", self.repeat,
                          lambda group_id: self.post(
                              f"/api/v1/group-sessions/{group_id}/cancel"),
                          before=lambda _n: self._plan(tags).json()["id"])
        return [planned, cancelled]

    def _lend(self, tags: list[str]) -> httpx.Response:
        day = quiet_day(self.hub)
        return self.post("/api/v1/loans", {
            "from_centre": HUB, "to_centre": BORROWER, "start_date": day.isoformat(),
            "end_date": (day + timedelta(days=1)).isoformat(), "headset_tags": tags[:2]})

    def loan(self, tags: list[str]) -> list[Result]:
        """Two headsets lent to an associated centre for two quiet days, the loan cancelled
        before the next."""
        lent = timed(self.engine, "POST /loans", self.repeat, lambda _n: self._lend(tags),
                     after=lambda r: self.post(f"/api/v1/loans/{r.json()['id']}/cancel"))
        cancelled = timed(self.engine, "POST loans/{id}/cancel", self.repeat,
                          lambda loan_id: self.post(f"/api/v1/loans/{loan_id}/cancel"),
                          before=lambda _n: self._lend(tags).json()["id"])
        return [lent, cancelled]


def run(bench: Bench, public: TestClient, future_slots: list[int]) -> list[Result]:
    """Every route, each on its own fresh objects."""
    repeat = bench.repeat
    desk_slot, walk_in_slot = today_slots(bench.engine, bench.hub, 2)
    tokens = [book(public, desk_slot)["token"] for _n in range(repeat + 1)]
    tags = hub_tags(bench.engine, bench.hub)
    return [bench.cancel_booking(future_slots), bench.check_in(tokens),
            bench.walk_in(walk_in_slot), *bench.hand_out_and_return(tokens, tags[10:]),
            *bench.group(tags[:5]), *bench.loan(tags[5:7])]


def report(results: list[Result], slowest: int) -> None:
    print(f"{'route':34} {'p50 ms':>8} {'p95 ms':>8} {'SQL ms':>7} {'statements':>11} "
          f"{'status':>7}")
    for r in results:
        sql = sum(r.statements.seconds.values()) / r.repeat
        print(f"{r.name:34} {percentile(r.times, 50) * 1000:8.1f} "
              f"{percentile(r.times, 95) * 1000:8.1f} {sql * 1000:7.1f} "
              f"{r.statements.count // r.repeat:11d} {r.status:7d}")
    for r in results if slowest else []:
        print(f"\n{r.name}: slowest statements (ms a request)")
        top = sorted(r.statements.seconds.items(), key=lambda kv: -kv[1])[:slowest]
        for statement, seconds in top:
            print(f"  {seconds / r.repeat * 1000:7.2f}  {statement[:400]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    network_options(parser, repeat=30)
    parser.add_argument("--slowest", type=int, default=0,
                        help="print each route's N slowest statements")
    args = parser.parse_args()
    url, engine = open_network(args)
    made = _staff(engine, HUB)
    settings = Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()),
                        secret_key=secrets.token_urlsafe(32), base_url="http://bench",
                        booking_rate_limit_per_minute=10**9, max_upcoming_bookings_per_address=0)
    app = create_app(settings, engine)
    settle_after_start_up()  # as a server's worker does after building its app
    with TestClient(app) as client:
        bench = Bench(client, engine, _hub(engine),
                      {"Authorization": f"Bearer {made['token']}"}, args.repeat)
        results = run(bench, client, made["slots"])
    print(f"size={args.size} db={engine.dialect.name} repeat={args.repeat}")
    report(results, args.slowest)
    engine.dispose()


if __name__ == "__main__":
    main()
