"""Routers whose endpoints commit the request's unit of work in their own thread.

FastAPI runs a sync endpoint in a worker thread, then validates its response in another one.
Committing only when the session dependency exits would hold the transaction (on SQLite, the
database's write lock) across that second hop; under a rush every worker thread is taken by
requests waiting for the lock and the response of the request holding it waits for a thread:
the server stalls until timeouts. So the endpoint itself commits when it returns, in its
thread; the dependency (``web.deps.get_session``) then only closes, or rolls back on error.
Every router of the app is made with :func:`APIRouter` from here (a test checks it).
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter as FastAPIRouter
from fastapi.routing import APIRoute
from sqlmodel import Session

UNIT_OF_WORK = "unit_of_work"  # session.info key: "commit" or "read" (set by get_session)


def commit_unit_of_work(values: Any) -> None:
    """Commit the request's session among an endpoint's arguments, if it may write."""
    for value in values:
        if isinstance(value, Session) and value.info.get(UNIT_OF_WORK) == "commit":
            value.commit()


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        @functools.wraps(endpoint)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            result = await endpoint(*args, **kwargs)
            commit_unit_of_work(kwargs.values())
            return result

        return run_async

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        commit_unit_of_work(kwargs.values())
        return result

    return run


class UnitOfWorkRoute(APIRoute):
    """An API route whose endpoint commits the unit of work as soon as it returns."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _committing(endpoint), **kwargs)


def APIRouter(**kwargs: Any) -> FastAPIRouter:
    """A FastAPI router whose routes commit in the endpoint's thread."""
    return FastAPIRouter(route_class=UnitOfWorkRoute, **kwargs)
