"""What each party is owed under the Victims' Code, kept in step with the crime's history."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession


async def refresh_entitlements(db: AsyncSession, crime_id: int) -> None:
    """Bring the crime's Entitlement rows up to date with its updates and messages.

    Call it in the same transaction as any change to a crime's status, updates, parties or
    messages. Idempotent. (Being built under issue 10.)
    """
    return None
