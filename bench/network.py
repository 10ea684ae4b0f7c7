"""A synthetic network of centres for the benchmarks: hubs, associated centres, headsets,
open-access history, group sessions, loans and bookings at a chosen size.

    python bench/network.py --db sqlite|postgres --size small|hubs40|large [--url URL]

Sizes (the network grows in hubs, then in history):

- ``small``: 4 hubs with 8 associated centres each, 200 headsets, 100,000 bookings;
- ``hubs40``: 40 hubs (360 centres), 2,000 headsets, 1,000,000 bookings;
- ``large``: the same 40 hubs with 10,000,000 bookings (years of history).

Rows are written with bulk inserts, bypassing the services: this is a data set to measure
queries against, not a test of the rules. Every centre gets a Wednesday 14:00–16:00 rule whose
future slots are generated the normal way, so the pages see a network as it is in use.
"""

import argparse
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from vr_booking import migrations
from vr_booking.db import make_engine
from vr_booking.models import (
    Allocation,
    Booking,
    Centre,
    Headset,
    Loan,
    LoanHeadset,
    OpenAccessRule,
    VRSession,
)
from vr_booking.services.open_access.slots import generate_all_slots

SIZES = {
    "small": {"hubs": 4, "headsets_per_hub": 50, "bookings": 100_000},
    "hubs40": {"hubs": 40, "headsets_per_hub": 50, "bookings": 1_000_000},
    "large": {"hubs": 40, "headsets_per_hub": 50, "bookings": 10_000_000},
}
ASSOCIATED_PER_HUB = 8
SEATS_PER_SLOT = 6
SLOTS_PER_WEEK = 6  # Wednesday 14:00–16:00, 20-minute seats
CHUNK = 20_000


def _chunks(rows: list[dict], size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def create_centres(session: Session, hubs: int) -> list[Centre]:
    centres: list[Centre] = []
    for h in range(1, hubs + 1):
        hub = Centre(slug=f"hub-{h:03d}", name=f"Hub {h}", kind="hub", city=f"City {h}")
        session.add(hub)
        session.flush()
        centres.append(hub)
        for a in range(1, ASSOCIATED_PER_HUB + 1):
            centres.append(Centre(slug=f"hub-{h:03d}-{a}", name=f"Centre {h}.{a}",
                                  kind="associated", hub_id=hub.id))
    session.add_all(centres)
    session.flush()
    return centres


def create_headsets(engine: Engine, hubs: list[Centre], per_hub: int, now: datetime) -> None:
    rows = [{"asset_tag": f"H{hub.id:03d}-VR-{n:03d}", "home_centre_id": hub.id,
             "model": "Meta Quest 3", "service_state": "in_service", "face_cover": "silicone",
             "notes": "", "charge_percent": 100, "charge_recorded_at": now,
             "usage_count": 0, "usage_minutes": 0, "created_at": now}
            for hub in hubs for n in range(1, per_hub + 1)]
    with engine.begin() as conn:
        conn.execute(insert(Headset), rows)


def create_rules(session: Session, centres: list[Centre], today: date) -> None:
    session.add_all(OpenAccessRule(centre_id=c.id, weekday=2, start_time=clock(14),
                                   end_time=clock(16), seat_minutes=20, buffer_minutes=0,
                                   horizon_weeks=4) for c in centres)
    session.flush()
    generate_all_slots(session, today)


def create_history(engine: Engine, centres: list[Centre], bookings: int,
                   now: datetime) -> None:
    """Past Wednesdays' slots at every centre, filled with bookings, newest first."""
    seats_per_week = len(centres) * SLOTS_PER_WEEK * SEATS_PER_SLOT
    weeks = -(-bookings // seats_per_week)
    last_wednesday = now - timedelta(days=(now.weekday() - 2) % 7 or 7)
    first = last_wednesday.replace(hour=12, minute=0, second=0, microsecond=0)
    slots = []
    for week in range(weeks):
        day = first - timedelta(weeks=week)
        for centre in centres:
            for seat in range(SLOTS_PER_WEEK):
                starts = day + timedelta(minutes=20 * seat)
                slots.append({"centre_id": centre.id, "kind": "open_access",
                              "status": "planned", "title": "", "starts_at": starts,
                              "ends_at": starts + timedelta(minutes=20), "organisation": "",
                              "group_size": 0, "headsets_reserved": 0,
                              "minors_authorisation_holder": "", "location": "",
                              "transport_minutes": 0, "esf_reported": False, "debrief": "",
                              "notes": "", "created_at": starts - timedelta(days=14)})
    with engine.begin() as conn:
        for chunk in _chunks(slots):
            conn.execute(insert(VRSession), chunk)
        ids = [row[0] for row in conn.execute(text(
            "SELECT id FROM vr_session WHERE starts_at < :now ORDER BY starts_at DESC, id"),
            {"now": now})]
    _insert_bookings(engine, ids, bookings)


def _insert_bookings(engine: Engine, slot_ids: list[int], total: int) -> None:
    statuses = ("checked_in", "checked_in", "no_show", "cancelled", "checked_in", "checked_in")
    made = 0
    with engine.begin() as conn:
        rows: list[dict] = []
        for slot_id in slot_ids:
            for seat in range(SEATS_PER_SLOT):
                if made == total:
                    break
                made += 1
                rows.append({"session_id": slot_id, "token": secrets.token_urlsafe(18),
                             "short_code": f"{made:08X}"[-8:], "status": statuses[seat],
                             "name": f"Visitor {made}", "email": f"visitor{made}@example.org",
                             "language": "fr", "age_confirmed": True,
                             "created_at": datetime(2020, 1, 1, tzinfo=UTC)})
                if len(rows) == CHUNK:
                    conn.execute(insert(Booking), rows)
                    rows = []
            if made == total:
                break
        if rows:
            conn.execute(insert(Booking), rows)


def create_loans_and_groups(session: Session, hubs: list[Centre], centres: list[Centre],
                            now: datetime) -> None:
    """Per hub: two headsets lent to its first associated centre this week, and a workshop
    next week holding five headsets."""
    today = now.date()
    by_hub = {c.hub_id: c for c in reversed(centres) if c.hub_id}
    for hub in hubs:
        tags = list(session.exec(select(Headset.id).where(Headset.home_centre_id == hub.id)
                                 .order_by(Headset.asset_tag)))
        loan = Loan(from_centre_id=hub.id, to_centre_id=by_hub[hub.id].id, start_date=today,
                    end_date=today + timedelta(days=6), status="active")
        session.add(loan)
        session.flush()
        session.add_all(LoanHeadset.of(loan, h) for h in tags[:2])
        starts = now.replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=7)
        workshop = VRSession(centre_id=hub.id, kind="workshop", title="Atelier",
                             starts_at=starts, ends_at=starts + timedelta(hours=2),
                             group_size=12, headsets_reserved=5)
        session.add(workshop)
        session.flush()
        session.add_all(Allocation(headset_id=h, session_id=workshop.id, starts_at=starts,
                                   ends_at=workshop.ends_at) for h in tags[2:7])
    session.flush()


def build(url: str, size: str) -> dict[str, int]:
    """Migrate ``url`` and fill it with the network of ``size``; returns row counts."""
    spec = SIZES[size]
    migrations.upgrade("head", url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        centres = create_centres(session, spec["hubs"])
        hubs = [c for c in centres if c.kind == "hub"]
        session.commit()
        create_headsets(engine, hubs, spec["headsets_per_hub"], now)  # outside the session
        create_rules(session, centres, now.date())
        create_loans_and_groups(session, hubs, centres, now)
        session.commit()
    create_history(engine, centres, spec["bookings"], now)
    with engine.connect() as conn:
        counts = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
                  for table in ("centre", "headset", "vr_session", "booking")}
    if engine.dialect.name == "postgresql":
        # Statistics and the visibility map, as autovacuum keeps them on a database in use
        # (an ANALYZE in the connection's transaction was rolled back: no statistics at all).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return counts


def fresh_url(db: str, size: str) -> str:
    """Where a generated network goes: a new SQLite file, or the PostgreSQL database
    ``bench`` (emptied)."""
    if db == "postgres":
        url = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
        with make_engine(url.rsplit("/", 1)[0] + "/postgres").connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("DROP DATABASE IF EXISTS bench WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE bench"))
        return url
    path = Path(tempfile.gettempdir()) / f"vrb-network-{size}.sqlite3"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument("--url", help="database URL (default: a file in /tmp, or the "
                        "PostgreSQL database `bench`)")
    args = parser.parse_args()
    url = args.url or fresh_url(args.db, args.size)
    started = time.perf_counter()
    counts = build(url, args.size)
    print(f"{args.size} on {make_url(url).get_backend_name()}: {counts} in "
          f"{time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    print(url)


if __name__ == "__main__":
    main()
