"""Which force a signed-out victim page is for: the only one, or the one the person picks."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..forces import all_forces
from ..i18n import gettext as _
from ..models import Force
from ..pages import render
from .forms import Form


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


def render_form(request: Request, template: str, forces: list[Force], form: Form | None = None) -> Response:
    """A signed-out form that may ask for the force: what was typed, what is wrong, the force picker."""
    form = form or Form()
    return render(
        request,
        template,
        {"values": form.values, "errors": form.errors, "force_options": force_options(forces)},
    )
