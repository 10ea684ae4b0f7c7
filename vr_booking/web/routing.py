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
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

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


class _Router(FastAPIRouter):
    """A router that turns away, before trying its routes one by one, a path none of them can
    match: FastAPI asks every included router in turn, and trying ~150 routes' patterns was
    a quarter of a booking's time. A route without parameters matches its path alone; one
    with parameters, only paths starting with the text before its first parameter."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not self._may_match(get_route_path(scope)):
            return Match.NONE, {}
        return super().matches(scope)

    def _may_match(self, path: str) -> bool:
        exact, heads = self._path_index()
        return path in exact or path.startswith(heads)

    def _path_index(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """Paths without parameters, and the heads of those with (kept while the routes are
        the same)."""
        cached = getattr(self, "_index", None)
        if cached is None or cached[0] != len(self.routes):
            paths = [getattr(route, "path", "") for route in self.routes]
            cached = (len(self.routes), frozenset(p for p in paths if "{" not in p),
                      tuple({p.split("{", 1)[0] for p in paths if "{" in p}))
            self._index = cached
        return cached[1], cached[2]


def APIRouter(**kwargs: Any) -> FastAPIRouter:
    """A FastAPI router whose routes commit in the endpoint's thread."""
    return _Router(route_class=UnitOfWorkRoute, **kwargs)
