"""A rush of visitors larger than the server's worker threads: every request is answered
(a seat, the waiting list or "full"), none with a server error, and nothing is overbooked.

It guards the unit of work: a commit made only after FastAPI took a second worker thread for
the response once stalled the server under such a rush, answering 500 after pool timeouts.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from factories import OpenAccess, start_server, stop_server

CLIENTS = 150  # more than the 40 worker threads and the connection pool of one server
HEADSETS = 4


@pytest.fixture
def rush(db_url, tmp_path, make_open_access):
    open_access: OpenAccess = make_open_access(headsets=HEADSETS)
    server = start_server(db_url, tmp_path / "server", workers=1,
                          booking_rate_limit_per_minute="1000000",
                          max_upcoming_bookings_per_address="0")  # one test address
    yield server, open_access
    stop_server(server)


def test_a_rush_larger_than_the_thread_pool_gets_answers_and_no_overbooking(rush):
    server, open_access = rush
    slot_id = open_access.slots[0].id

    def book(n: int) -> int:
        return httpx.post(f"{server.url}/api/v1/bookings", timeout=120, json={
            "slot_id": slot_id, "name": f"V{n}", "age_confirmed": True,
            "health_ack": True}).status_code

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        codes = Counter(pool.map(book, range(CLIENTS)))
    assert set(codes) <= {201, 409}, codes
    seats = next(s for s in httpx.get(f"{server.url}/api/v1/slots",
                                      params={"centre": open_access.centre.slug}).json()["items"]
                 if s["id"] == slot_id)
    assert seats["confirmed"] == seats["capacity"] == HEADSETS
    assert codes[201] == HEADSETS + seats["waitlisted"]
