"""Who is told that something is waiting: the one rule, and the alerts for an update."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..case_updates import is_visible_to
from ..models import CaseUpdate, Force, Party
from ..notify.outbox import AlertKind, alerted_lately_by_party, queue_alert


def may_be_alerted(party: Party) -> bool:
    """Registered, and still using the portal: the only parties we tell something is waiting."""
    return bool(party.password_hash) and party.opted_out_at is None and party.account_deleted_at is None


def update_alert_cause(update: CaseUpdate) -> str:
    """The outbox cause of an update's alerts (queue_alert's dedupe key holds it)."""
    return f"update:{update.id}"


async def parties_of_crime(db: AsyncSession, crime_id: int) -> list[Party]:
    """The crime's parties in the order they were added; trusted helpers are not among them."""
    found = await db.exec(
        select(Party)
        .where(Party.crime_id == crime_id, col(Party.helps_party_id).is_(None))
        .order_by(col(Party.id))
    )
    return list(found.all())


async def alert_parties_of_update(
    db: AsyncSession,
    force: Force,
    update: CaseUpdate,
    *,
    send_after: dt.datetime | None = None,
    parties: Sequence[Party] | None = None,
) -> list[Party]:
    """Queue "an update is waiting" for each registered party who may read it, as they prefer.

    `send_after`: hold the alerts back until then (while an officer may still withdraw the update).
    `parties`: parties_of_crime() of the update's crime, when the caller has just read them.
    """
    if parties is None:
        parties = await parties_of_crime(db, update.crime_id)
    told = [party for party in parties if may_be_alerted(party) and is_visible_to(update, party)]
    alerted_lately = await alerted_lately_by_party(db, force, AlertKind.UPDATE_WAITING, told)
    alerted: list[Party] = []
    for party in told:
        await queue_alert(
            db,
            force=force,
            kind=AlertKind.UPDATE_WAITING,
            party=party,
            cause=update_alert_cause(update),
            context={"force_name": force.name},
            send_at=send_after,
            alerted_lately=alerted_lately,
        )
        alerted.append(party)
    return alerted
