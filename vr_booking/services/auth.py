"""Staff accounts: passwords (argon2id), API tokens and which centres a role may see."""

import hashlib
import secrets

from pwdlib import PasswordHash
from sqlmodel import Session, select

from vr_booking.i18n import _
from vr_booking.models import ApiToken, Centre, Role, StaffCentre, StaffUser, utcnow
from vr_booking.services.errors import Forbidden, InvalidInput, NotFound

_hasher = PasswordHash.recommended()
TOKEN_PREFIX = "vrb_"  # noqa: S105  (a public prefix, not a secret)
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
    password: str | None = None,
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
    centres = [_centre_by_slug(session, slug) for slug in centre_slugs]
    if role != Role.admin and not centres:
        raise InvalidInput("no_centre", _("Facilitators and managers work for at least one "
                                         "centre."))
    user = StaffUser(email=email, name=name.strip(), role=role,
                     password_hash=hash_password(password) if password else "")
    session.add(user)
    session.flush()
    session.add_all(StaffCentre(staff_id=user.id, centre_id=c.id) for c in centres)
    session.flush()
    return user


def _centre_by_slug(session: Session, slug: str) -> Centre:
    centre = session.exec(select(Centre).where(Centre.slug == slug)).first()
    if centre is None:
        raise NotFound("unknown_centre", _("No centre {slug!r}.").format(slug=slug))
    return centre


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


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(session: Session, email: str) -> str:
    """Create a bearer token for a staff user; only its hash is stored."""
    user = session.exec(select(StaffUser).where(StaffUser.email == normalise_email(email))).first()
    if user is None:
        raise NotFound("unknown_staff", _("No staff account for {email}.").format(email=email))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(staff_id=user.id, token_hash=_token_digest(token)))
    session.flush()
    return token


def staff_for_token(session: Session, token: str) -> StaffUser | None:
    """The active staff user owning an unrevoked token, or None."""
    row = session.exec(
        select(ApiToken, StaffUser)
        .join(StaffUser, StaffUser.id == ApiToken.staff_id)
        .where(ApiToken.token_hash == _token_digest(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row[1].is_active:
        return None
    return row[1]


def visible_centre_ids(session: Session, user: StaffUser) -> set[int]:
    """Centres whose staff pages this user may see (admins: all)."""
    if user.role == Role.admin:
        return set(session.exec(select(Centre.id)).all())
    return set(session.exec(select(StaffCentre.centre_id).where(StaffCentre.staff_id == user.id)))


def require_centre(session: Session, user: StaffUser, slug: str) -> Centre:
    """The centre if this user works for it; 404 when unknown, 403 when not theirs."""
    centre = _centre_by_slug(session, slug)
    if centre.id not in visible_centre_ids(session, user):
        raise Forbidden("not_your_centre", _("This page belongs to another centre."))
    return centre


def can_manage(session: Session, user: StaffUser, centre_id: int) -> bool:
    """Managers of that centre and admins may change what the centre offers."""
    return user.role in (Role.manager, Role.admin) and centre_id in visible_centre_ids(
        session, user)


def require_managed_centre(session: Session, user: StaffUser, slug: str) -> Centre:
    """The centre if this user manages it; 404 when unknown, 403 otherwise."""
    centre = require_centre(session, user, slug)
    if not can_manage(session, user, centre.id):
        raise Forbidden("managers_only", _("Only the centre's managers can do this."))
    return centre
