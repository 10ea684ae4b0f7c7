"""Staff accounts: creating them, and signing in with a password (argon2id)."""

import secrets

from pwdlib import PasswordHash
from sqlmodel import Session, select

from vr_booking.i18n import _
from vr_booking.models import Role, StaffCentre, StaffUser, utcnow
from vr_booking.services.access import centre_by_slug
from vr_booking.services.errors import InvalidInput

_hasher = PasswordHash.recommended()
MIN_PASSWORD_LENGTH = 10
# A hash of a random password, verified when the e-mail is unknown so that a wrong e-mail
# and a wrong password take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_staff(
    session: Session, *, email: str, name: str, role: str, centre_slugs: list[str],
    password: str | None = None, can_edit_catalogue: bool = False,
) -> StaffUser:
    """Create a staff account working for the given centres."""
    email = normalise_email(email)
    if role not in set(Role):
        raise InvalidInput("bad_role", _("Unknown role {role!r}.").format(role=role),
                           {"role": _("Unknown role.")})
    if "@" not in email or not name.strip():
        raise InvalidInput("bad_staff", _("An e-mail and a name are required."))
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("weak_password", _("Passwords need at least {n} characters.").format(
            n=MIN_PASSWORD_LENGTH))
    if session.exec(select(StaffUser).where(StaffUser.email == email)).first():
        raise InvalidInput("duplicate_email", _("{email} already has an account.").format(
            email=email))
    centres = [centre_by_slug(session, slug) for slug in centre_slugs]
    if role != Role.admin and not centres:
        raise InvalidInput("no_centre", _("Facilitators and managers work for at least one "
                                         "centre."))
    user = StaffUser(email=email, name=name.strip(), role=role,
                     password_hash=hash_password(password) if password else "",
                     can_edit_catalogue=can_edit_catalogue)
    session.add(user)
    session.flush()
    session.add_all(StaffCentre(staff_id=user.id, centre_id=c.id) for c in centres)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> StaffUser | None:
    """The active staff user with these credentials, or None."""
    user = session.exec(select(StaffUser).where(StaffUser.email == normalise_email(email))).first()
    if user is None or not user.password_hash:
        _hasher.verify(password, _DUMMY_HASH)
        return None
    valid, new_hash = _hasher.verify_and_update(password, user.password_hash)
    if not valid or not user.is_active:
        return None
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = utcnow()
    session.add(user)
    return user
