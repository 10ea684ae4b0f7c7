"""Typed dependencies: the request's unit of work, the signed-in staff user, the API caller.

One unit of work per request: :func:`get_session` opens the request's database session, the
handler calls services (which flush, never commit), and when the handler returns the session
commits (in the handler's own thread: see :mod:`vr_booking.web.routing`), before the response
leaves, so that what the client is told is stored. When the handler raises, everything rolls
back. A form handler that shows a refusal on the page calls
:func:`discard` first, so that the refused command leaves nothing behind.

GET and HEAD requests only read: their session refuses to write (``before_flush``), and on
SQLite they use a deferred transaction so that reads do not queue behind the write lock that
every other transaction takes (``BEGIN IMMEDIATE``). A POST that only checks (a dry run)
declares ``dependencies=[READS_ONLY]`` and gets the same read-only unit of work.
"""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, event
from sqlmodel import Session

from vr_booking.db import reading
from vr_booking.models import StaffUser, utcnow
from vr_booking.services.admin import tokens
from vr_booking.services.admin.sessions import staff_for_session
from vr_booking.services.admin.tokens import token_owner
from vr_booking.web.routing import UNIT_OF_WORK

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class LoginRequired(Exception):
    """Raised by :func:`current_staff`; answered with a redirect to the login page."""


class ApiUnauthorized(Exception):
    """Raised by :func:`api_staff`; answered 401 with a JSON message."""


class ReadOnlyRequest(RuntimeError):
    """A GET handler tried to write: a bug, since a GET must be safe to repeat."""


def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    raise ReadOnlyRequest("this request only reads now: it does not write to the database")


def _reads_only(request: Request) -> None:
    request.state.reads_only = True


# A route dependency, solved before the endpoint's own: this POST's unit of work only reads.
READS_ONLY = Depends(_reads_only)


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: commit when the handler returns, roll back if it raises."""
    engine: Engine = request.app.state.engine
    read_only = request.method in SAFE_METHODS or getattr(request.state, "reads_only", False)
    if read_only:
        engine = reading(engine)
    info = {"settings": request.app.state.settings,
            UNIT_OF_WORK: "read" if read_only else "commit"}
    with Session(engine, expire_on_commit=False, info=info) as session:
        if read_only:
            event.listen(session, "before_flush", _refuse_writes)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        if session.info[UNIT_OF_WORK] == "read":
            session.rollback()
        else:  # what a dependency wrote, or a late lazy load; usually nothing left
            session.commit()


def read_on(session: Session, keep: bool = True) -> None:
    """End the request's command (commit it, or forget a refused one), then go on reading
    in transactions that take no write lock, to draw the page that answers it.

    Drawn in the command's transaction, the page held SQLite's write lock while it was read
    and rendered (the desk's board after each action: ~40 ms at a hub), every booking
    waiting. Anything written afterwards is refused, as in a GET.
    """
    if keep:
        session.commit()
    else:
        session.rollback()
    if session.info.get(UNIT_OF_WORK) != "read":
        session.bind = reading(session.get_bind())
        session.info[UNIT_OF_WORK] = "read"
        event.listen(session, "before_flush", _refuse_writes)


def discard(session: Session) -> None:
    """Forget what a refused command flushed, before the page showing the refusal is drawn
    (read without the write lock: :func:`read_on`)."""
    read_on(session, keep=False)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def optional_staff(request: Request, session: SessionDep) -> StaffUser | None:
    """The staff user of the signed session cookie, if its server-side session is live."""
    token = request.session.get("sid")
    if not token:
        return None
    user = staff_for_session(session, token, request.session.get("v"), utcnow())
    if user is None:
        request.session.clear()
    return user


def current_staff(user: Annotated[StaffUser | None, Depends(optional_staff)]) -> StaffUser:
    if user is None:
        raise LoginRequired
    return user


def api_staff(request: Request, session: SessionDep) -> StaffUser:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    now = utcnow()
    found = token_owner(session, token.strip(), now) if scheme.lower() == "bearer" else None
    if found is None:
        raise ApiUnauthorized
    api_token, user = found
    tokens.record_use(session, request.app.state.engine, api_token, now,
                      request_writes=request.method not in SAFE_METHODS
                      and not getattr(request.state, "reads_only", False))
    return user


OptionalStaff = Annotated[StaffUser | None, Depends(optional_staff)]
CurrentStaff = Annotated[StaffUser, Depends(current_staff)]
ApiStaff = Annotated[StaffUser, Depends(api_staff)]
