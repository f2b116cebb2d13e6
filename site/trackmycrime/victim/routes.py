"""Routes of the victim area, mounted by app.py."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
