"""Password rules: a length, and no common password (hashing is ``accounts``: argon2id).

The common passwords are the 20,000 most used ones (``data/common-passwords.txt.gz``, from
Django, licence beside it): length alone lets ``1234567890`` or ``password12`` through.
"""

import gzip
from functools import lru_cache

from vr_booking.i18n import _
from vr_booking.paths import DATA_DIR
from vr_booking.services.errors import InvalidInput

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # argon2 hashes any length; this only bounds the work
COMMON_PASSWORDS = DATA_DIR / "common-passwords.txt.gz"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this password is refused, in people's words, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least {n} characters.").format(n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Use at most {n} characters.").format(n=MAX_PASSWORD_LENGTH)
    folded = password.strip().lower()
    if folded in common_passwords():
        return _("This password is one of the most common ones: choose another.")
    personal = {email.strip().lower(), email.strip().lower().split("@")[0],
                name.strip().lower()} - {""}
    if folded in personal:
        return _("Do not use your e-mail address or your name as a password.")
    return None


def check_new_password(password: str, confirmation: str | None = None, *, email: str = "",
                       name: str = "") -> str:
    """The password if it may be used; else InvalidInput on the ``password`` field."""
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise InvalidInput("weak_password", problem, {"password": problem})
    if confirmation is not None and confirmation != password:
        message = _("The two passwords differ.")
        raise InvalidInput("passwords_differ", message, {"password_again": message})
    return password
