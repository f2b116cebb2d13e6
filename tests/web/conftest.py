"""Fixtures for the web tests: the officer tests' world, clients signed in as its officers, a victim."""

from tests.web.officer_world import admin, oic_client, supervisor, world
from tests.web.victim_data import victim

__all__ = ["admin", "oic_client", "supervisor", "victim", "world"]
