"""Bearer tokens for the JSON API: only their SHA-256 is stored.

A token has a label and (except those printed by the ``api-token`` command) an expiry; it
stops working when it expires, when it is revoked, or when its owner is deactivated. Its last
use is recorded at most every few minutes, so that a busy script does not write on every call.
"""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from vr_booking.i18n import _
from vr_booking.models import ApiToken, Role, StaffUser, utcnow
from vr_booking.services.admin.accounts import normalise_email
from vr_booking.services.audit import record
from vr_booking.services.errors import Conflict, Forbidden, InvalidInput, NotFound

log = logging.getLogger(__name__)
TOKEN_PREFIX = "vrb_"  # noqa: S105  (a public prefix, not a secret)
LABEL_MAX_LENGTH = 80
MAX_DAYS = 366
TOUCH_EVERY = timedelta(minutes=5)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(session: Session, owner: StaffUser, label: str,
           expires_at: datetime | None, actor: StaffUser | None) -> tuple[ApiToken, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(staff_id=owner.id, token_hash=_token_digest(token), label=label,
                   expires_at=expires_at)
    session.add(row)
    session.flush()
    record(session, actor, "token.created", subject_type="api_token", subject_id=row.id,
           summary=f"{owner.email}: token “{label}”")
    return row, token


def issue_api_token(session: Session, email: str) -> str:
    """A token without expiry for a staff user (the ``api-token`` command)."""
    user = session.exec(select(StaffUser).where(StaffUser.email == normalise_email(email))).first()
    if user is None:
        raise NotFound("unknown_staff", _("No staff account for {email}.").format(email=email))
    return _issue(session, user, "command line", None, None)[1]


def create_token(session: Session, owner: StaffUser, label: str, days: int,
                 now: datetime) -> tuple[ApiToken, str]:
    """A new token of ``owner``'s, valid ``days`` days; the clear token is returned once."""
    label, problems = label.strip(), {}
    if not label or len(label) > LABEL_MAX_LENGTH:
        problems["label"] = _("Give a label of at most {n} characters.").format(
            n=LABEL_MAX_LENGTH)
    if not 1 <= days <= MAX_DAYS:
        problems["days"] = _("A token lasts from 1 to {n} days.").format(n=MAX_DAYS)
    if problems:
        raise InvalidInput("invalid_token", " ".join(problems.values()), problems)
    return _issue(session, owner, label, now + timedelta(days=days), owner)


def list_tokens(session: Session, owner: StaffUser) -> list[ApiToken]:
    """A person's tokens, newest first, revoked ones included."""
    return list(session.exec(select(ApiToken).where(ApiToken.staff_id == owner.id)
                             .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())))


def tokens_of(session: Session, viewer: StaffUser,
              owner_id: int | None = None) -> tuple[StaffUser, list[ApiToken]]:
    """Whose tokens (the viewer's unless an administrator names someone) and the tokens."""
    owner = viewer
    if owner_id is not None and owner_id != viewer.id:
        if viewer.role != Role.admin:
            raise Forbidden("admins_only", _("Only administrators see other people's tokens."))
        owner = session.get(StaffUser, owner_id)
        if owner is None:
            raise NotFound("unknown_staff", _("There is no such staff account."))
    return owner, list_tokens(session, owner)


def revoke_token(session: Session, actor: StaffUser, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of your tokens (administrators: anyone's)."""
    row = session.get(ApiToken, token_id)
    if row is None or (row.staff_id != actor.id and actor.role != Role.admin):
        raise NotFound("unknown_token", _("There is no such API token."))
    if row.revoked_at is not None:
        raise Conflict("already_revoked", _("This token is already revoked."))
    row.revoked_at = now
    session.add(row)
    session.flush()
    owner = session.get(StaffUser, row.staff_id)
    record(session, actor, "token.revoked", subject_type="api_token", subject_id=row.id,
           summary=f"{owner.email}: token “{row.label}”")
    return row


def revoke_all_tokens(session: Session, user: StaffUser, now: datetime) -> int:
    """Revoke every live token of a person; returns how many."""
    done = session.exec(update(ApiToken).where(
        col(ApiToken.staff_id) == user.id, col(ApiToken.revoked_at).is_(None),
    ).values(revoked_at=now))
    return done.rowcount


def token_owner(session: Session, token: str,
                now: datetime | None = None) -> tuple[ApiToken, StaffUser] | None:
    """The live token and its active owner, or None."""
    now = now or utcnow()
    row = session.exec(
        select(ApiToken, StaffUser)
        .join(StaffUser, StaffUser.id == ApiToken.staff_id)
        .where(ApiToken.token_hash == _token_digest(token), col(ApiToken.revoked_at).is_(None),
               or_(col(ApiToken.expires_at).is_(None), col(ApiToken.expires_at) > now))
    ).first()
    if row is None or not row[1].is_active:
        return None
    return row[0], row[1]


def staff_for_token(session: Session, token: str) -> StaffUser | None:
    """The active staff user owning a live token, or None."""
    found = token_owner(session, token)
    return found[1] if found else None


def record_use(session: Session, engine: Engine, row: ApiToken, now: datetime, *,
               request_writes: bool) -> None:
    """Record a token's use, at most every few minutes.

    In a transaction of its own wherever possible: written in the request's transaction, the
    token's row would stay locked until the request ends, and on PostgreSQL every concurrent
    request with the same token (a desk's burst of check-ins) would queue behind it. Only a
    writing request on SQLite records it in its own transaction: it already holds the
    database's write lock, which another connection would wait for.
    """
    if row.last_used_at is not None and row.last_used_at >= now - TOUCH_EVERY:
        return
    if request_writes and engine.dialect.name == "sqlite":
        row.last_used_at = now
        session.add(row)
    else:
        _record_use_apart(engine, row.id, now)


def _record_use_apart(engine: Engine, token_id: int, now: datetime) -> None:
    """The conditional update in a short transaction; a busy database skips it rather than
    failing the request."""
    try:
        with Session(engine) as session:
            session.exec(update(ApiToken).where(
                col(ApiToken.id) == token_id,
                or_(col(ApiToken.last_used_at).is_(None),
                    col(ApiToken.last_used_at) < now - TOUCH_EVERY)).values(last_used_at=now))
            session.commit()
    except OperationalError as error:
        log.warning("token %s: last use not recorded: %s", token_id, error)
