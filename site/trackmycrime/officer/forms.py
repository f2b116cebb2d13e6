"""The officer pages' forms: each form on a page as an object (`PageForms`), on the shared reading
of a posted form (`trackmycrime/forms.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..forms import MAX_FIELD_LENGTH as MAX_FIELD_LENGTH
from ..forms import Errors as Errors
from ..forms import date_from_parts as date_from_parts
from ..forms import query_value as query_value
from ..forms import read_form as read_form
from ..forms import whole_number as whole_number
from ..forms import without_control_characters as without_control_characters


@dataclass(frozen=True)
class PageForm:
    """One form on a page: what was typed and what was wrong, empty unless it was the one submitted."""

    errors: Errors = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    submitted: bool = False


NOT_SUBMITTED = PageForm()


@dataclass(frozen=True)
class PartyForms:
    """A form each person on a crime has a copy of (a reply, a helper): only the one submitted has errors."""

    party_id: int | None = None
    submitted: PageForm = NOT_SUBMITTED

    def of(self, party_id: int | None) -> PageForm:
        return self.submitted if party_id == self.party_id else NOT_SUBMITTED


class PageForms:
    """The forms of one page by name (`forms.update`, `forms.reply.of(party_id)`), so a template
    asks its own form for its errors and values instead of checking which form was submitted."""

    def __init__(
        self,
        names: tuple[str, ...],
        per_party: tuple[str, ...] = (),
        *,
        submitted: str = "",
        errors: Errors | None = None,
        values: dict[str, str] | None = None,
        party_id: int | None = None,
    ) -> None:
        if submitted and submitted not in names + per_party:
            raise ValueError(f"no form named {submitted!r} on this page")
        form = PageForm(errors or {}, values or {}, submitted=True)
        self._forms: dict[str, PageForm | PartyForms] = {name: NOT_SUBMITTED for name in names}
        self._forms.update({name: PartyForms() for name in per_party})
        if submitted in per_party:
            self._forms[submitted] = PartyForms(party_id, form)
        elif submitted:
            self._forms[submitted] = form

    def __getattr__(self, name: str) -> PageForm | PartyForms:
        try:
            return self._forms[name]
        except KeyError:
            raise AttributeError(name) from None
