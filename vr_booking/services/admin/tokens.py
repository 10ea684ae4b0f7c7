"""Bearer tokens for the JSON API: only their SHA-256 is stored."""

import hashlib
import secrets

from sqlmodel import Session, select

from vr_booking.i18n import _
from vr_booking.models import ApiToken, StaffUser
from vr_booking.services.admin.accounts import normalise_email
from vr_booking.services.errors import NotFound

TOKEN_PREFIX = "vrb_"  # noqa: S105  (a public prefix, not a secret)


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
