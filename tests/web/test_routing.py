"""Routers turn away a path none of their routes can match before trying their routes one by
one (vr_booking.web.routing); every route must still be found by its own path."""

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Match


def _scope(path: str, method: str) -> dict:
    return {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}


def _found(app: FastAPI, path: str, method: str) -> list[Match]:
    return [match for route in app.router.routes
            if (match := route.matches(_scope(path, method))[0]) != Match.NONE]


def test_every_route_is_found_by_its_own_path(app: FastAPI):
    included = [r.original_router for r in app.router.routes if hasattr(r, "original_router")]
    routes = [route for router in included for route in router.routes
              if isinstance(route, APIRoute)]
    assert len(routes) > 100
    for route in routes:
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        method = sorted(route.methods)[0]
        assert Match.FULL in _found(app, path, method), (route.path, method)


def test_a_path_no_route_has_is_turned_away_by_every_router(app: FastAPI):
    assert _found(app, "/staff/nowhere/at/all", "GET") == []
    assert _found(app, "/api/v1/bookingsX", "POST") == []
