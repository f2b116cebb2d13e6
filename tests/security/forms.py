"""Filling in a page's forms as a person would, with what a test chooses to type into the text fields."""

from __future__ import annotations

from collections.abc import Iterable

from bs4 import BeautifulSoup, Tag

TEXT_TYPES = {"text", "email", "tel", "search", "url", "number", None}
SKIPPED_ACTIONS = ("sign-out", "delete-account", "disable", "revoke", "opt-out", "turn-off", "two-factor")


def post_forms(page: BeautifulSoup) -> list[Tag]:
    """The page's POST forms, less those that would end the test's session or account."""
    return [
        form
        for form in page.select('form[method="post"]')
        if not any(word in str(form.get("action", "")) for word in SKIPPED_ACTIONS)
    ]


def fill(form: Tag, typed: str, *, only: Iterable[str] | None = None) -> dict[str, str]:
    """The form's current values, with `typed` in every text field (or only those named)."""
    chosen = set(only) if only is not None else None
    values: dict[str, str] = {}
    for field in form.select("input, textarea, select"):
        name = field.get("name")
        if not name or field.get("disabled") is not None:
            continue
        name = str(name)
        kind = field.get("type") if field.name == "input" else field.name
        types_text = field.name == "textarea" or (field.name == "input" and kind in TEXT_TYPES)
        if types_text and (chosen is None or name in chosen):
            values[name] = typed
        elif field.name == "textarea":
            values[name] = field.get_text()
        elif field.name == "select":
            option = field.select_one("option[selected]") or next(
                (o for o in field.select("option") if o.get("value")), None
            )
            values[name] = str(option.get("value", "")) if option else ""
        elif kind == "radio":
            if name not in values or field.get("checked") is not None:
                values[name] = str(field.get("value", ""))
        elif kind == "checkbox":
            if field.get("checked") is not None:
                values[name] = str(field.get("value", "on"))
        elif kind == "password":
            values[name] = "a long unusual passphrase 42"
        elif kind in ("hidden", "text", "email", "tel", "number"):
            values[name] = str(field.get("value", ""))
    return values
