"""Staff accounts: creating them (the checks every way in shares), and signing in with a
password (argon2id)."""

import re
import secrets

from pwdlib import PasswordHash
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from vr_booking.i18n import _
from vr_booking.models import Centre, Role, StaffCentre, StaffUser, utcnow
from vr_booking.services.admin.passwords import check_new_password
from vr_booking.services.audit import record
from vr_booking.services.errors import InvalidInput

EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 120
_hasher = PasswordHash.recommended()
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
    """Create a staff account working for the given centres (no password: invited later)."""
    email, name = normalise_email(email), name.strip()
    centres, problems = _centres_named(session, centre_slugs)
    problems = staff_problems(email, name, role, bool(centres)) | problems
    if not problems.get("email") and session.exec(
            select(StaffUser).where(StaffUser.email == email)).first():
        problems["email"] = _("{email} already has an account.").format(email=email)
    if problems:
        raise InvalidInput("invalid_staff", " ".join(problems.values()), problems)
    if password is not None:
        check_new_password(password, email=email, name=name)
    user = StaffUser(email=email, name=name, role=role, can_edit_catalogue=can_edit_catalogue,
                     password_hash=hash_password(password) if password else "")
    try:
        with session.begin_nested():  # the same e-mail added meanwhile by another request
            session.add(user)
    except IntegrityError:
        message = _("{email} already has an account.").format(email=email)
        raise InvalidInput("invalid_staff", message, {"email": message}) from None
    session.add_all(StaffCentre(staff_id=user.id, centre_id=c.id) for c in centres)
    session.flush()
    return user


def staff_problems(email: str, name: str, role: str, has_centre: bool) -> dict[str, str]:
    """Field → message for an account that cannot be saved (e-mail, name, role, centres)."""
    problems = {}
    if len(email) > EMAIL_MAX_LENGTH or not EMAIL_RE.fullmatch(email):
        problems["email"] = _("Give a valid e-mail address.")
    if not name or len(name) > NAME_MAX_LENGTH:
        problems["name"] = _("Give a name of at most {n} characters.").format(
            n=NAME_MAX_LENGTH)
    if role not in set(Role):
        problems["role"] = _("Unknown role: choose facilitator, manager or admin.")
    elif role != Role.admin and not has_centre:
        problems["centres"] = _("Facilitators and managers work for at least one centre.")
    return problems


def _centres_named(session: Session, slugs: list[str]) -> tuple[list[Centre], dict[str, str]]:
    centres = list(session.exec(select(Centre).where(col(Centre.slug).in_(set(slugs)))))
    unknown = sorted(set(slugs) - {c.slug for c in centres})
    if unknown:
        return centres, {"centres": _("No centre {slugs}.").format(slugs=", ".join(unknown))}
    return centres, {}


def record_staff_event(session: Session, actor: StaffUser | None, action: str,
                       target: StaffUser, summary: str = "") -> None:
    """An audit row about an account, filed under the first centre it works for."""
    centre_id = session.exec(select(func.min(StaffCentre.centre_id))
                             .where(StaffCentre.staff_id == target.id)).one()
    record(session, actor, action, centre_id=centre_id, subject_type="staff",
           subject_id=target.id, summary=summary or target.email)


def display_zone(session: Session, user: StaffUser) -> str:
    """The time zone to show this person instants in: their first centre's, else the first
    hub's (administrators), else UTC."""
    zone = session.exec(select(Centre.timezone).join(StaffCentre, col(StaffCentre.centre_id)
                                                     == Centre.id)
                        .where(StaffCentre.staff_id == user.id).order_by(Centre.id)).first()
    return zone or session.exec(select(Centre.timezone).order_by(Centre.kind == "associated",
                                                                 Centre.id)).first() or "UTC"


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
