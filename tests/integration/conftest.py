"""Fixtures for the integration tests: the officer tests' world, a fake Notify, and the statements
SQLAlchemy is given (database.first_row and run send theirs to asyncpg itself on PostgreSQL)."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fake_notify import notify
from tests.web.officer_world import world

__all__ = ["notify", "sent_by_sqlalchemy", "world"]


@pytest.fixture
def sent_by_sqlalchemy(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each statement SQLAlchemy's AsyncConnection.execute is given during the test."""
    sent: list[Any] = []
    execute = AsyncConnection.execute

    async def counted(self: AsyncConnection, *arguments: Any, **options: Any) -> Any:
        sent.append(arguments[0])
        return await execute(self, *arguments, **options)

    monkeypatch.setattr(AsyncConnection, "execute", counted)
    return sent
