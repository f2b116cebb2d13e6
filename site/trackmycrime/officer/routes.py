"""Routes of the officer area, mounted by app.py."""

from __future__ import annotations

from starlette.routing import BaseRoute

from . import (
    account,
    admin,
    api_keys,
    audit_log,
    case,
    compliance_export,
    force_settings,
    inbox,
    invitations,
    messages,
    outside_contact,
    personal_statements,
    portal_override,
    property,
    received_texts,
    sign_in,
    sso,
    statistics,
    supervisor,
    trusted_helpers,
    two_factor,
    update_changes,
    updates,
)

routes: list[BaseRoute] = [
    *sign_in.routes,
    *sso.routes,
    *two_factor.routes,
    *account.routes,
    *inbox.routes,
    *supervisor.routes,
    *compliance_export.routes,
    *case.routes,
    *updates.routes,
    *update_changes.routes,
    *messages.routes,
    *invitations.routes,
    *outside_contact.routes,
    *trusted_helpers.routes,
    *portal_override.routes,
    *personal_statements.routes,
    *property.routes,
    *statistics.routes,
    *admin.routes,
    *api_keys.routes,
    *force_settings.routes,
    *audit_log.routes,
    *received_texts.routes,
]
