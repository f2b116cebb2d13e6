"""Where the top-level templates/, static/, db/ and locale/ folders are, installed or not."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Inside the package in a built wheel; at the repository's top level in an editable install."""
    bundled = _PACKAGE / name
    if bundled.is_dir():
        return bundled
    checkout = _PACKAGE.parents[1] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"TrackMyCrime's {name}/ folder is missing from {bundled} and {checkout}")


TEMPLATES_DIR = resource_dir("templates")
STATIC_DIR = resource_dir("static")
MIGRATIONS_DIR = resource_dir("db")
LOCALE_DIR = resource_dir("locale")
