"""Fixtures for the integration tests: the officer tests' world and a fake Notify."""

from tests.fake_notify import notify
from tests.web.officer_world import world

__all__ = ["notify", "world"]
