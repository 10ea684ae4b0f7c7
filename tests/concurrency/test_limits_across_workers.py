"""Limits that hold for the whole deployment (issue 9, items 14 and 16): a real server with two
worker processes, each request on a new connection so that both workers answer. Counted in
each worker's memory, N workers would allow N times the limit; counted in the database,
exactly the limit passes."""

from collections import Counter

import httpx
import pytest

from factories import PASSWORD, OpenAccess, start_server, stop_server

ACCOUNT_LIMIT = 3
BOOKINGS_PER_MINUTE = 5


@pytest.fixture
def two_workers(db_url, tmp_path, make_open_access, make_staff):
    open_access: OpenAccess = make_open_access(headsets=3)
    make_staff("lea@example.org", role="admin")
    server = start_server(db_url, tmp_path / "server", workers=2,
                          login_failures_per_account=str(ACCOUNT_LIMIT),
                          booking_rate_limit_per_minute=str(BOOKINGS_PER_MINUTE),
                          max_upcoming_bookings_per_address="0")
    yield server, open_access
    stop_server(server)


def _sign_in(url: str, email: str, password: str) -> int:
    with httpx.Client(base_url=url, timeout=30) as browser:  # a new connection each time
        token = browser.get("/staff/login").cookies["csrftoken"]
        answer = browser.post("/staff/login", data={"email": email, "password": password,
                                                    "csrftoken": token})
        return answer.status_code


def test_sign_in_throttling_holds_across_workers(two_workers):
    server, _ = two_workers
    answers = [_sign_in(server.url, "lea@example.org", "wrong password") for _ in range(10)]
    assert answers == [401] * ACCOUNT_LIMIT + [429] * (10 - ACCOUNT_LIMIT)
    assert _sign_in(server.url, "lea@example.org", PASSWORD) == 429


def _book(url: str, slot_id: int, headers: dict | None = None) -> int:
    with httpx.Client(base_url=url, timeout=30) as client:
        return client.post("/api/v1/bookings", headers=headers or {}, json={
            "slot_id": slot_id, "name": "Ana", "age_confirmed": True,
            "health_ack": True}).status_code


def test_the_booking_rate_limit_holds_across_workers(two_workers):
    server, open_access = two_workers
    answers = Counter(_book(server.url, open_access.slots[n % 5].id) for n in range(12))
    assert answers == {201: BOOKINGS_PER_MINUTE, 429: 12 - BOOKINGS_PER_MINUTE}


def test_forwarded_addresses_are_ignored_from_untrusted_peers(two_workers):
    """A script cannot pose as many clients by inventing X-Forwarded-For headers."""
    server, open_access = two_workers
    answers = Counter(_book(server.url, open_access.slots[0].id,
                            {"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(8))
    assert answers == {201: BOOKINGS_PER_MINUTE, 429: 8 - BOOKINGS_PER_MINUTE}


def test_forwarded_addresses_count_from_a_trusted_proxy(db_url, tmp_path, make_open_access):
    open_access = make_open_access(headsets=3)
    server = start_server(db_url, tmp_path / "proxied", trusted_proxies="127.0.0.1",
                          booking_rate_limit_per_minute="2",
                          max_upcoming_bookings_per_address="0")
    try:
        per_client = [[_book(server.url, open_access.slots[0].id,
                             {"X-Forwarded-For": f"198.51.100.{client}"}) for _ in range(3)]
                      for client in (1, 2)]
    finally:
        stop_server(server)
    assert per_client == [[201, 201, 429], [201, 201, 429]]
