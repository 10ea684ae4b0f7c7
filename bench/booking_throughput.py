"""Booking throughput and latency against a real server, on SQLite or PostgreSQL.

    python bench/booking_throughput.py [--db sqlite|postgres] [--workers 2] [--requests 400]

Starts `vr-booking serve` on a fresh database with one centre (10 headsets, Wednesday rule),
then fires booking requests from client threads across the generated slots and prints
requests/s and latency percentiles. It measures; it asserts nothing.
"""

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import time as clock
from pathlib import Path

import httpx
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import (
    PG_URL,
    reset_postgres,
    start_server,
    stop_server,
)
from rush import open_access_centre

from vr_booking import migrations
from vr_booking.db import make_engine


def prepare(url: str) -> list[int]:
    migrations.upgrade("head", url)
    engine = make_engine(url)
    with Session(engine) as session:
        ids = open_access_centre(session, "bench", clock(9), clock(18), 8)
    engine.dispose()
    return ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    if args.db == "postgres":
        reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    slot_ids = prepare(url)
    server = start_server(url, tmp / "server", workers=args.workers,
                          booking_rate_limit_per_minute="100000000",
                          max_upcoming_bookings_per_address="0")
    latencies: list[float] = []

    def one(n: int) -> int:
        started = time.perf_counter()
        response = httpx.post(f"{server.url}/api/v1/bookings", timeout=120, json={
            "slot_id": slot_ids[n % len(slot_ids)], "name": f"B{n}", "age_confirmed": True,
            "health_ack": True})
        latencies.append(time.perf_counter() - started)
        return response.status_code

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            codes = list(pool.map(one, range(args.requests)))
        elapsed = time.perf_counter() - started
        calendar = []
        for _ in range(20):
            t0 = time.perf_counter()
            httpx.get(f"{server.url}/api/v1/slots", params={"centre": "bench"}, timeout=60)
            calendar.append(time.perf_counter() - t0)
    finally:
        stop_server(server)
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"database={args.db} workers={args.workers} slots={len(slot_ids)} "
          f"requests={args.requests} threads={args.threads}")
    print(f"booking: {args.requests / elapsed:.1f} req/s, p50 {quantiles[49] * 1000:.0f} ms, "
          f"p95 {quantiles[94] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    print("status codes:", {c: codes.count(c) for c in sorted(set(codes))})
    print(f"GET /api/v1/slots ({len(slot_ids)} slots): median "
          f"{statistics.median(calendar) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
