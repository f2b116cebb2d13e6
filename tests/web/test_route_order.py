"""The routes most asked for are tried first (app.py, ASKED_FOR_MOST), and that changes nothing else:
every route's own address still reaches it, and every address and method reach the route they
reached with the routes in the order their areas list them (the one a 405 names included)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import BaseRoute, Match, Mount, Route

from trackmycrime.app import ASKED_FOR_MOST, create_app, routes_by_area
from trackmycrime.settings import Settings

THROWAWAY_DATABASE = f"sqlite:///{Path(tempfile.gettempdir()) / 'tmc-route-listing.sqlite3'}"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# A value for each parameter, the first its convertor takes: "7" for an id, words for the rest.
CANDIDATES = ("7", "sample", "css/site.css", "BS-2024-000001")


def _app(mode: Any) -> Any:
    return create_app(Settings(mode=mode, secret_key="x" * 40, database_url=THROWAWAY_DATABASE))


def _named(routes: list[BaseRoute]) -> list[Route]:
    found: list[Route] = []
    for route in routes:
        if isinstance(route, Mount):
            found += _named(route.routes)
        elif isinstance(route, Route):
            found.append(route)
    return found


def _address(app: Any, route: Route) -> str:
    params = {}
    for name, convertor in route.param_convertors.items():
        value = next(text for text in CANDIDATES if re.fullmatch(convertor.regex, text))
        params[name] = convertor.convert(value)
    return str(app.url_path_for(route.name, **params))


def _reached(routes: list[BaseRoute], path: str, method: str) -> tuple[BaseRoute, Match] | None:
    """As Router.app chooses: the first full match, else the first partial one (a 405)."""
    scope = {"type": "http", "path": path, "root_path": "", "method": method, "headers": []}
    partial = None
    for route in routes:
        match, _child_scope = route.matches(scope)
        if match is Match.FULL:
            return route, match
        if match is Match.PARTIAL and partial is None:
            partial = (route, match)
    return partial


def _identity(route: BaseRoute) -> tuple[str | None, str | None]:
    """What makes a route itself: static and metrics are made anew with each list."""
    return getattr(route, "name", None), getattr(route, "path", None)


@pytest.mark.parametrize("mode", ["production", "demo"])
def test_the_routes_asked_for_most_come_first_and_nothing_else_moves(mode):
    app = _app(mode)
    by_area = routes_by_area(app.state.assets, app.state.settings)
    names = [getattr(route, "name", None) for route in app.router.routes]
    assert names[: len(ASKED_FOR_MOST)] == list(ASKED_FOR_MOST)
    rest = [route for route in by_area if getattr(route, "name", None) not in ASKED_FOR_MOST]
    assert [_identity(route) for route in app.router.routes[len(ASKED_FOR_MOST) :]] == [
        _identity(route) for route in rest
    ]


@pytest.mark.parametrize("mode", ["production", "demo"])
def test_every_route_is_reached_by_its_own_address_and_each_address_as_in_the_areas_order(mode):
    app = _app(mode)
    by_area = routes_by_area(app.state.assets, app.state.settings)
    routes = _named(app.router.routes)
    assert len(routes) > 100
    for route in routes:
        path = _address(app, route)
        if route in app.router.routes:  # not one of the API's, under its Mount
            for method in route.methods or ():
                reached = _reached(app.router.routes, path, method)
                assert reached is not None and reached[0] is route, (route.name, path, method)
        for method in METHODS:
            now, before = _reached(app.router.routes, path, method), _reached(by_area, path, method)
            assert (now is None) == (before is None), (path, method)
            if now is not None and before is not None:
                assert (_identity(now[0]), now[1]) == (_identity(before[0]), before[1]), (path, method)


def test_each_route_asked_for_most_is_reached_by_its_own_address_alone():
    app = _app("production")
    for name in ASKED_FOR_MOST:
        route = next(route for route in _named(app.router.routes) if route.name == name)
        path = _address(app, route)
        reached = _reached(app.router.routes, path, "GET")
        assert reached is not None and reached[0] is route and reached[1] is Match.FULL
        others = [other for other in app.router.routes if other is not route]
        scope = {"type": "http", "path": path, "root_path": "", "method": "GET", "headers": []}
        assert all(other.matches(scope)[0] is Match.NONE for other in others), name
