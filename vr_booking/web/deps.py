"""Typed dependencies: the database session, the signed-in staff user, the API caller."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session

from vr_booking.models import StaffUser
from vr_booking.services.auth import staff_for_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class LoginRequired(Exception):
    """Raised by :func:`current_staff`; answered with a redirect to the login page."""


class ApiUnauthorized(Exception):
    """Raised by :func:`api_staff`; answered 401 with a JSON message."""


def get_session(request: Request) -> Iterator[Session]:
    """A session per request. Writes commit explicitly in the handler; the rest rolls back.

    On SQLite, safe methods use a deferred transaction so that reads do not queue behind the
    write lock that every other transaction takes (``BEGIN IMMEDIATE``).
    """
    engine: Engine = request.app.state.engine
    if request.method in SAFE_METHODS:
        engine = engine.execution_options(sqlite_begin="DEFERRED")
    with Session(engine, expire_on_commit=False,
                 info={"settings": request.app.state.settings}) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def optional_staff(request: Request, session: SessionDep) -> StaffUser | None:
    """The staff user of the signed session cookie, if it is still valid."""
    staff_id = request.session.get("staff_id")
    if staff_id is None:
        return None
    user = session.get(StaffUser, staff_id)
    if user is None or not user.is_active or request.session.get("v") != user.session_version:
        request.session.clear()
        return None
    return user


def current_staff(user: Annotated[StaffUser | None, Depends(optional_staff)]) -> StaffUser:
    if user is None:
        raise LoginRequired
    return user


def api_staff(request: Request, session: SessionDep) -> StaffUser:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user = staff_for_token(session, token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ApiUnauthorized
    return user


OptionalStaff = Annotated[StaffUser | None, Depends(optional_staff)]
CurrentStaff = Annotated[StaffUser, Depends(current_staff)]
ApiStaff = Annotated[StaffUser, Depends(api_staff)]
