"""Fixtures for the security tests: the officer tests' world."""

from tests.web.officer_world import world

__all__ = ["world"]
