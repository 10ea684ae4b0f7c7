"""Who the client is, and the booking and survey-poster rate limits, shared by every worker.

The client's address is the connecting one, or the one a configured reverse proxy forwards
(``trusted_proxies``: see :func:`vr_booking.web.app.create_app`); an X-Forwarded-For header
from anyone else is ignored, so that a script cannot pose as many addresses. The limit is
counted in the database (:mod:`vr_booking.services.throttle`), so N workers still allow
the limit once, not N times.
"""

from datetime import timedelta

from fastapi import Request

from vr_booking.i18n import _
from vr_booking.models import utcnow
from vr_booking.services.errors import TooManyRequests
from vr_booking.services.throttle import Limit, counter_key, hit
from vr_booking.web.deps import SessionDep

WINDOW = timedelta(minutes=1)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit_bookings(request: Request, session: SessionDep) -> None:
    """Dependency: refuse a client that books too often (429, nothing written)."""
    limit = Limit(request.app.state.settings.booking_rate_limit_per_minute, WINDOW)
    key = counter_key(session, "booking-address", client_address(request))
    wait = hit(session, key, limit, utcnow())
    if wait:
        raise TooManyRequests("rate_limited", _("Too many booking attempts from your "
                                                "connection. Please wait a minute."),
                              retry_after=wait)


def limit_survey_posters(request: Request, session: SessionDep) -> None:
    """Dependency: refuse a client that sends too many poster answers (429, nothing
    written). A class answering on the centre's Wi-Fi shares one address, hence the
    generous default."""
    limit = Limit(request.app.state.settings.survey_poster_rate_limit_per_minute, WINDOW)
    key = counter_key(session, "survey-address", client_address(request))
    wait = hit(session, key, limit, utcnow())
    if wait:
        raise TooManyRequests("rate_limited", _("Too many answers from your connection. "
                                                "Please wait a minute."), retry_after=wait)
