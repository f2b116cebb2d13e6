"""Signed-in officer browsers for the browser tests: sign in once per role, reuse the cookies."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.axe import JS_OFF_PAGES


def sign_in(page: Any, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/officer/sign-in")
    page.get_by_label("Email address or shoulder number").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base_url + "/officer")


@pytest.fixture(scope="session")
def officer_cookies(
    browser: Any, live_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """A saved signed-in state for the demo's officer, supervisor and admin."""
    logins = live_server.logins
    saved: dict[str, Path] = {}
    folder = tmp_path_factory.mktemp("officer-states")
    for role, email in (
        ("officer", logins.officer_email),
        ("supervisor", logins.supervisor_email),
        ("admin", logins.admin_email),
    ):
        context = browser.new_context()
        sign_in(context.new_page(), live_server.url, email, logins.officer_password)
        saved[role] = folder / f"{role}.json"
        context.storage_state(path=str(saved[role]))
        context.close()
    return saved


@pytest.fixture
def officer_page(browser: Any, officer_cookies: dict[str, Path]) -> Iterator[Callable[..., Any]]:
    """officer_page("supervisor", js=False) -> a page signed in as that demo officer."""
    contexts: list[Any] = []

    def open_page(role: str = "officer", *, js: bool = True, width: int = 1280) -> Any:
        context = browser.new_context(
            storage_state=str(officer_cookies[role]),
            java_script_enabled=js,
            viewport={"width": width, "height": 900},
        )
        contexts.append(context)
        page = context.new_page()
        if not js:
            JS_OFF_PAGES.add(page)
        return page

    yield open_page
    for context in contexts:
        for page in context.pages:
            JS_OFF_PAGES.discard(page)
        context.close()
