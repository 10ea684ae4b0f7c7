"""A per-client sliding-window limit for endpoints that write (e.g. booking).

Kept in memory, per worker process: with N workers a client gets at most N × the limit,
which is enough against a script hoarding seats without adding a shared store.
"""

import threading
import time
from collections import defaultdict, deque

from fastapi import Request

from vr_booking.i18n import _
from vr_booking.services.errors import TooManyRequests

WINDOW_SECONDS = 60.0


class RateLimiter:
    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, now: float | None = None) -> bool:
        """Record a hit for ``key``; False when it already made ``limit`` in the window."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - WINDOW_SECONDS:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True


def limit_bookings(request: Request) -> None:
    """Dependency: refuse a client that books too often (429, nothing written)."""
    limiter: RateLimiter = request.app.state.booking_limiter
    client = request.client.host if request.client else "unknown"
    if not limiter.allow(client, request.app.state.settings.booking_rate_limit_per_minute):
        raise TooManyRequests("rate_limited", _("Too many booking attempts from your "
                                                "connection. Please wait a minute."))


def limit_survey_posters(request: Request) -> None:
    """Dependency: refuse a client that sends too many poster answers (429, nothing
    written). A class answering on the centre's Wi-Fi shares one address, hence the
    generous default."""
    limiter: RateLimiter = request.app.state.survey_limiter
    client = request.client.host if request.client else "unknown"
    if not limiter.allow(client, request.app.state.settings.survey_poster_rate_limit_per_minute):
        raise TooManyRequests("rate_limited", _("Too many answers from your connection. "
                                                "Please wait a minute."))
