"""Which force a signed-out victim page is for: the only one, or the one the person picks."""

from __future__ import annotations

from starlette.requests import Request

from ..forces import all_forces
from ..i18n import gettext as _
from ..models import Force


async def forces_for_page(request: Request) -> list[Force]:
    """All forces; when there is only one, it also heads the page."""
    async with request.app.state.db.session() as db:
        forces = await all_forces(db)
    if len(forces) == 1:
        request.state.force = forces[0]
    return forces


def force_options(forces: list[Force]) -> list[tuple[str, str]] | None:
    """Options for the force picker, or None when there is nothing to choose."""
    if len(forces) < 2:
        return None
    return [("", _("Choose a police force"))] + [(force.code, force.name) for force in forces]
