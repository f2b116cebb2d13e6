"""The add-a-helper form (issue 21), the same on the victim's account page and the officer's crime
page: read and checked here, the rules for who may be added in trackmycrime.trusted_helpers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..contact_details import OptionalEmail, OptionalMobile
from ..i18n import gettext as _
from ..models import HelperRelationship
from ..trusted_helpers import NAME_MAX, HelperDetails
from . import forms

_EMAIL = TypeAdapter(OptionalEmail)
_MOBILE = TypeAdapter(OptionalMobile)


def read_helper_form(
    submitted: Mapping[str, Any], prefix: str = "helper_"
) -> tuple[forms.Form, HelperDetails | None]:
    """The add-a-helper form, the same for officers and parties; errors keyed by field.

    Field names start with `prefix`: the officer's crime page has one such form per party."""
    form = forms.Form()
    forenames, surname = (
        forms.required_text(
            form,
            submitted,  # type: ignore[arg-type]
            prefix + field,
            missing=missing,
            max_length=NAME_MAX,
            too_long=too_long.format(n=NAME_MAX),
        )
        for field, missing, too_long in (
            (
                "forenames",
                _("Enter the helper's first name"),
                _("First name must be {n} characters or fewer"),
            ),
            ("surname", _("Enter the helper's last name"), _("Last name must be {n} characters or fewer")),
        )
    )
    born = forms.date_of_birth(
        form,
        submitted,  # type: ignore[arg-type]
        name=f"{prefix}date_of_birth",
        missing=_("Enter the date they were born"),
    )
    relationship = forms.text(submitted, f"{prefix}relationship")  # type: ignore[arg-type]
    form.values[f"{prefix}relationship"] = relationship if relationship in HelperRelationship.ALL else ""
    if relationship not in HelperRelationship.ALL:
        form.error(f"{prefix}relationship", _("Choose who the helper is"))
    email = _valid_contact(
        form, submitted, f"{prefix}email", _EMAIL, _("Check the email. It should look like name@example.com")
    )
    mobile = _valid_contact(
        form, submitted, f"{prefix}mobile", _MOBILE, _("Enter a mobile number like 07700 900123")
    )
    if not email and not mobile and not ({f"{prefix}email", f"{prefix}mobile"} & form.errors.keys()):
        form.error(f"{prefix}email", _("Give their email or mobile, so we can ask them to join"))
    if not form.is_valid or born is None:
        return form, None
    return form, HelperDetails(forenames, surname, born, relationship, email, mobile)


def _valid_contact(
    form: forms.Form, submitted: Mapping[str, Any], name: str, kind: TypeAdapter[str], problem: str
) -> str:
    value = forms.text(submitted, name)  # type: ignore[arg-type]
    form.values[name] = value[:300]
    try:
        return str(kind.validate_python(value))
    except ValidationError:
        form.error(name, problem)
        return ""
