"""Signing in with a password, throttled for the whole deployment.

Each attempt counts against the account and against the address before the password is
checked, so that parallel attempts cannot slip past the limit; a success takes its hits
back. Past the limit every attempt is refused for a while, without checking the password,
with the same answer for an account that exists and one that does not (the counter of an
unknown e-mail fills up just the same): throttling tells nothing about which accounts exist.
"""

import math
from datetime import datetime, timedelta

from sqlmodel import Session

from vr_booking.config import settings_for
from vr_booking.i18n import ngettext
from vr_booking.models import StaffUser
from vr_booking.services.admin.accounts import authenticate, normalise_email
from vr_booking.services.errors import TooManyRequests
from vr_booking.services.throttle import Limit, counter_key, hit, take_back


def sign_in(session: Session, email: str, password: str, address: str,
            now: datetime) -> StaffUser | None:
    """The active staff user with these credentials, None when they do not match; raises
    :class:`TooManyRequests` (with ``retry_after``) past the limits."""
    settings = settings_for(session)
    window = timedelta(minutes=settings.login_lockout_minutes)
    account = counter_key(session, "login-account", normalise_email(email))
    place = counter_key(session, "login-address", address)
    wait = max(hit(session, account, Limit(settings.login_failures_per_account, window), now),
               hit(session, place, Limit(settings.login_failures_per_address, window), now))
    if wait:
        minutes = math.ceil(wait / 60)
        error = TooManyRequests("too_many_sign_ins", ngettext(
            "Too many sign-in attempts. For your security, please wait %(num)d minute and "
            "try again.", "Too many sign-in attempts. For your security, please wait "
            "%(num)d minutes and try again.", minutes) % {"num": minutes}, retry_after=wait)
        raise error
    user = authenticate(session, email, password)
    if user is not None:
        take_back(session, account, forget_all=True)
        take_back(session, place)
    return user
