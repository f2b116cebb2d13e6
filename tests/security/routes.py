"""The app's routes, enumerated so that security tests cover every URL, including ones added later."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Route

PATH_PARAMETER = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


def routes_with(app: Any, method: str) -> list[str]:
    """Paths of the app's routes answering `method`, sorted."""
    return sorted(
        {
            route.path
            for route in app.routes
            if isinstance(route, Route) and method in (route.methods or set())
        }
    )


def has_parameters(path: str) -> bool:
    return bool(PATH_PARAMETER.search(path))


def filled_in(path: str, value: str = "1") -> str:
    """The path with every {parameter} replaced by `value`."""
    return PATH_PARAMETER.sub(value, path)
