"""Feedback: how satisfied the party is with being kept informed, and an optional comment."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .. import audit, audit_actions
from ..auth.sessions import party_required
from ..i18n import gettext as _
from ..models import Crime, Feedback, Party, utcnow
from ..pages import redirect_to, render
from . import forms
from .trusted_helpers import not_for_helpers

# The rating stored is 1 (very dissatisfied) to 5 (very satisfied); 4 and 5 count as satisfied.
SATISFIED_RATINGS = (4, 5)


def rating_options() -> list[tuple[str, str]]:
    return [
        ("5", _("Very satisfied")),
        ("4", _("Satisfied")),
        ("3", _("Neither satisfied nor dissatisfied")),
        ("2", _("Dissatisfied")),
        ("1", _("Very dissatisfied")),
    ]


def feedback_page(request: Request, form: forms.Form | None = None) -> Response:
    form = form or forms.Form()
    return render(
        request,
        "victim/feedback.html",
        {
            "values": form.values,
            "errors": form.errors,
            "rating_options": rating_options(),
            "comment_limit": forms.FEEDBACK_COMMENT_MAX,
        },
        status_code=200 if form.is_valid else 400,
    )


@party_required
@not_for_helpers
async def show_feedback_form(request: Request) -> Response:
    return feedback_page(request)


@party_required
@not_for_helpers
async def give_feedback(request: Request) -> Response:
    party: Party = request.state.party
    crime: Crime = request.state.crime
    submitted = await forms.submitted(request)
    form = forms.Form()
    rating = forms.text(submitted, "rating")
    form.values["rating"] = rating
    if rating not in {value for value, _label in rating_options()}:
        form.error("rating", _("Select how satisfied you are"))
    comment = forms.text(submitted, "comment", multiline=True)
    form.values["comment"] = comment
    if len(comment) > forms.FEEDBACK_COMMENT_MAX:
        form.error(
            "comment",
            _("Your comments are too long: use up to {n} characters").format(
                n=f"{forms.FEEDBACK_COMMENT_MAX:,}"
            ),
        )
    if not form.is_valid:
        return feedback_page(request, form)
    async with request.app.state.db.transaction() as db:
        db.add(
            Feedback(
                crime_id=crime.id,  # type: ignore[arg-type]
                party_id=party.id,
                rating=int(rating),
                comment=comment,
                created_at=utcnow(),
            )
        )
        audit.record(
            db,
            request,
            audit_actions.PARTY_FEEDBACK,
            force_id=crime.force_id,
            crime_id=crime.id,
            party_id=party.id,
            actor=party,
        )
    return redirect_to(request, "victim_feedback_thank_you")


@party_required
async def thank_you(request: Request) -> Response:
    return render(request, "victim/feedback_thank_you.html")
