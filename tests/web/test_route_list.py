"""No URL appears or disappears without thought: the app's routes match tests/routes.txt.

After adding or removing a route on purpose, regenerate the list:
    python -m tests.web.test_route_list > tests/routes.txt
"""

import tempfile
from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route

from trackmycrime.app import create_app
from trackmycrime.settings import Settings

# Demo mode runs only on a throw-away database; listing routes never opens it.
THROWAWAY_DATABASE = f"sqlite:///{Path(tempfile.gettempdir()) / 'tmc-route-listing.sqlite3'}"

ROUTE_LIST = Path(__file__).resolve().parents[1] / "routes.txt"


def current_routes(mode: str = "demo") -> list[str]:
    app = create_app(Settings(mode=mode, secret_key="x" * 40, database_url=THROWAWAY_DATABASE))  # type: ignore[arg-type]
    return sorted(_lines(app.routes))


def _lines(routes: list[BaseRoute], prefix: str = "") -> list[str]:
    lines = []
    for route in routes:
        if isinstance(route, Route):
            methods = ",".join(sorted((route.methods or set()) - {"HEAD"}))
            lines.append(f"{methods:12} {prefix}{route.path}")
        elif isinstance(route, Mount):  # e.g. the records-system API under /api
            lines += _lines(route.routes, prefix + route.path)
    return lines


def test_routes_match_the_committed_list():
    assert current_routes() == ROUTE_LIST.read_text().splitlines()


if __name__ == "__main__":
    print("\n".join(current_routes()))
