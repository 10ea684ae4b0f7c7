"""No overbooking, ever: many concurrent requests against a running multi-worker server.

Runs on whichever database the suite uses (SQLite or PostgreSQL, see conftest).
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlmodel import Session, func, select

from conftest import start_server, stop_server
from vr_booking.models import Booking

REQUESTS = 120
CLIENT_THREADS = 40
WAITLIST = 10


@pytest.fixture
def busy_server(db_url, tmp_path, make_open_access):
    open_access = make_open_access(headsets=3)
    server = start_server(db_url, tmp_path / "server", workers=2,
                          booking_rate_limit_per_minute="1000000",
                          waitlist_size=str(WAITLIST))
    yield server, open_access
    stop_server(server)


def _book(url: str, slot_id: int, n: int) -> tuple[int, str | None]:
    response = httpx.post(f"{url}/api/v1/bookings", timeout=120, json={
        "slot_id": slot_id, "name": f"Visitor {n}", "age_confirmed": True, "health_ack": True})
    body = response.json() if response.headers.get("content-type", "").startswith(
        "application/json") else {}
    return response.status_code, body.get("status")


def test_concurrent_bookings_fill_exactly_the_capacity(busy_server, db: Session):
    server, open_access = busy_server
    slot = open_access.slots[0]
    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        results = list(pool.map(lambda n: _book(server.url, slot.id, n), range(REQUESTS)))

    codes = Counter(code for code, _ in results)
    statuses = Counter(status for code, status in results if code == 201)
    assert all(code < 500 for code in codes), codes
    assert statuses == {"confirmed": 3, "waitlisted": WAITLIST}
    assert codes == {201: 3 + WAITLIST, 409: REQUESTS - 3 - WAITLIST}

    db.commit()
    stored = dict(db.exec(select(Booking.status, func.count()).where(
        Booking.session_id == slot.id).group_by(Booking.status)).all())
    assert stored == {"confirmed": 3, "waitlisted": WAITLIST}


def test_concurrent_cancellations_promote_each_waiting_once(busy_server, db: Session):
    server, open_access = busy_server
    slot = open_access.slots[0]
    made = [_token(server.url, slot.id, n) for n in range(3 + WAITLIST)]
    holders = made[:3]
    with ThreadPoolExecutor(max_workers=6) as pool:
        cancels = list(pool.map(
            lambda token: httpx.post(f"{server.url}/api/v1/bookings/{token}/cancel",
                                     timeout=120).status_code, holders * 2))
    assert set(cancels) == {200}
    db.commit()
    stored = dict(db.exec(select(Booking.status, func.count()).where(
        Booking.session_id == slot.id).group_by(Booking.status)).all())
    assert stored == {"cancelled": 3, "confirmed": 3, "waitlisted": WAITLIST - 3}


def _token(url: str, slot_id: int, n: int) -> str:
    response = httpx.post(f"{url}/api/v1/bookings", timeout=60, json={
        "slot_id": slot_id, "name": f"V{n}", "age_confirmed": True, "health_ack": True})
    assert response.status_code == 201
    return response.json()["token"]
