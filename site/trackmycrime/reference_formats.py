"""A force's crime-reference format: a regular expression matched in linear time (RE2).

A force admin types the format; the records system's requests are matched against it. Python's
`re` backtracks, so a pattern such as `(N+)+X` could stall the whole server on one reference;
RE2 never backtracks and refuses what it cannot match in linear time (back-references,
look-arounds), so a format is checked here when it is saved and matched here on every request.
"""

from __future__ import annotations

from functools import lru_cache

import re2


class BadFormat(ValueError):
    """The format cannot be used; the message says why, for the admin who typed it."""


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a bad format is reported to its admin, not written to stderr
    return options


@lru_cache(maxsize=64)
def compiled(pattern: str) -> re2._Regexp:
    try:
        return re2.compile(pattern, _options())
    except re2.error as error:
        problem = error.args[0] if error.args else "not a valid pattern"
        raise BadFormat(problem.decode() if isinstance(problem, bytes) else str(problem)) from None


def check_format(pattern: str) -> None:
    """Raise BadFormat unless the pattern compiles with RE2 and does not match an empty reference."""
    if compiled(pattern).fullmatch("") is not None:
        raise BadFormat("it matches an empty reference")


def matches_format(pattern: str, reference: str) -> bool:
    try:
        return compiled(pattern).fullmatch(reference) is not None
    except BadFormat:
        return False
