"""Routes of the officer area, mounted by app.py."""

from __future__ import annotations

from starlette.routing import BaseRoute

from . import (
    account,
    admin,
    api_keys,
    case,
    force_settings,
    inbox,
    invitations,
    messages,
    sign_in,
    statistics,
    supervisor,
    two_factor,
    updates,
)

routes: list[BaseRoute] = [
    *sign_in.routes,
    *two_factor.routes,
    *account.routes,
    *inbox.routes,
    *supervisor.routes,
    *case.routes,
    *updates.routes,
    *messages.routes,
    *invitations.routes,
    *statistics.routes,
    *admin.routes,
    *api_keys.routes,
    *force_settings.routes,
]
