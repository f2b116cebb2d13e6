"""Who is told that something is waiting: the one rule, and the alerts for an update."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import bindparam, func, literal, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from ..case_updates import is_visible_to
from ..database import all_rows, run, transaction_connection
from ..models import CaseUpdate, Force, OutboxMessage, OutboxStatus, Party, utcnow
from ..notify.outbox import (  # queue_alert's rules, for many rows at once
    NOT_DELIVERED,
    AlertKind,
    alerted_lately_by_party,
    channels_for,
    may_be_alerted_under_portal_rules,
    recipient_on,
)

_parties = cast(Any, Party).__table__
_outbox = cast(Any, OutboxMessage).__table__

# Built once (building a statement costs more CPU than running it here).
_OF_CRIME = _parties.c.crime_id == bindparam("crime_id")
_EVERY_PARTY = select(_parties).where(_OF_CRIME).order_by(_parties.c.id)
_SPACE: Any = literal_column("' '")


def _every_party_with_recent_alerts(channels_joined: Any) -> Any:
    recent_alerts = select(channels_joined).where(
        _outbox.c.party_id == _parties.c.id,
        _outbox.c.kind == AlertKind.UPDATE_WAITING,
        _outbox.c.created_at >= bindparam("since"),
        # One bound value each, not an expanding IN, which is rendered again at every execution.
        _outbox.c.status.not_in([literal(status) for status in NOT_DELIVERED]),
    )
    return (
        select(_parties, recent_alerts.scalar_subquery().label("alerted_lately"))
        .where(_OF_CRIME)
        .order_by(_parties.c.id)
    )


# Each database's own aggregate, not aggregate_strings(), whose separator is rendered again at
# every execution.
_EVERY_PARTY_WITH_RECENT_ALERTS = {
    "postgresql": _every_party_with_recent_alerts(func.string_agg(_outbox.c.channel, _SPACE)),
    "sqlite": _every_party_with_recent_alerts(func.group_concat(_outbox.c.channel, _SPACE)),
}
# All an update's alerts in one statement (the rows as its parameters); a repeat of an alert already
# queued (same dedupe key) is skipped by the database.
_INSERT_ALERTS = {
    dialect.dialect.name: dialect.insert(_outbox).on_conflict_do_nothing(
        index_elements=[_outbox.c.dedupe_key]
    )
    for dialect in (postgresql, sqlite)
}
_PARTIES_NOT_HELPERS = (
    select(_parties).where(_OF_CRIME, _parties.c.helps_party_id.is_(None)).order_by(_parties.c.id)
)


def may_be_alerted(party: Party) -> bool:
    """Registered, and still using the portal: the only parties we tell something is waiting."""
    return bool(party.password_hash) and party.opted_out_at is None and party.account_deleted_at is None


def update_alert_cause(update: CaseUpdate) -> str:
    """The outbox cause of an update's alerts (queue_alert's dedupe key holds it)."""
    return f"update:{update.id}"


class PartiesOfCrime(NamedTuple):
    every: list[Party]
    """Every party of the crime, trusted helpers too, in the order they were added."""
    alerted_lately: dict[int, set[str]]
    """What alerted_lately_by_party() says for "update waiting" alerts, for all of them."""


async def parties_and_their_recent_alerts(db: AsyncSession, force: Force, crime_id: int) -> PartiesOfCrime:
    """The crime's parties and their recent "update waiting" alerts, in one query.

    The parties are read-only rows with Party's columns, not ORM objects: cheap to read, and never
    written back. Recent alerts: as alerted_lately_by_party(), within the force's alert window.
    """
    connection = await transaction_connection(db)
    params: dict[str, Any] = {"crime_id": crime_id}
    query: Any = _EVERY_PARTY
    if force.alert_window_minutes > 0:
        params["since"] = utcnow() - dt.timedelta(minutes=force.alert_window_minutes)
        query = _EVERY_PARTY_WITH_RECENT_ALERTS[connection.dialect.name]
    rows = await all_rows(connection, query, params)
    lately_by_party = {
        row.id: set(row.alerted_lately.split()) for row in rows if getattr(row, "alerted_lately", None)
    }
    return PartiesOfCrime(cast(list[Party], rows), lately_by_party)


async def parties_of_crime(db: AsyncSession, crime_id: int) -> list[Party]:
    """The crime's parties in the order they were added; trusted helpers are not among them.

    Read-only rows with Party's columns (all_parties_of_crime()), not ORM objects.
    """
    found = await all_rows(await transaction_connection(db), _PARTIES_NOT_HELPERS, {"crime_id": crime_id})
    return cast(list[Party], found)


async def alert_parties_of_update(
    db: AsyncSession,
    force: Force,
    update: CaseUpdate,
    *,
    send_after: dt.datetime | None = None,
    parties: Sequence[Party] | None = None,
    alerted_lately: Mapping[int, set[str]] | None = None,
) -> list[Party]:
    """Queue "an update is waiting" for each registered party who may read it, as they prefer.

    `send_after`: hold the alerts back until then (while an officer may still withdraw the update).
    `parties`: parties_of_crime() of the update's crime, when the caller has just read them, and
    `alerted_lately`: their recent alerts (parties_and_their_recent_alerts()), if read with them.
    Returns the parties told (whether or not an alert within the force's window coalesced theirs).
    One read of the parties' recent alerts and one INSERT for all the alerts; a repeat of an
    alert already queued (same dedupe key) is skipped by the database.
    """
    if parties is None:
        parties = await parties_of_crime(db, update.crime_id)
    told = [party for party in parties if may_be_alerted(party) and is_visible_to(update, party)]
    kind = AlertKind.UPDATE_WAITING
    if alerted_lately is None:
        alerted_lately = await alerted_lately_by_party(db, force, kind, told)
    now = utcnow()
    context_json = json.dumps({"force_name": force.name}, sort_keys=True)
    cause = update_alert_cause(update)
    rows: list[dict[str, Any]] = []
    for party in told:
        if not await may_be_alerted_under_portal_rules(db, force, party):
            continue
        lately = alerted_lately.get(party.id, set())  # type: ignore[arg-type]
        for channel in channels_for(party):
            recipient = recipient_on(party, channel)
            if channel in lately or not recipient:
                continue
            rows.append(
                {
                    "force_id": force.id,
                    "kind": kind,
                    "channel": channel,
                    "party_id": party.id,
                    "officer_id": None,
                    "recipient": recipient,
                    "context_json": context_json,
                    "dedupe_key": f"{kind}:{cause}:party:{party.id}:{channel}",
                    "status": OutboxStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": send_after or now,
                    "claimed_until": None,
                    "last_error": "",
                    "provider_reference": "",
                    "created_at": now,
                    "sent_at": None,
                }
            )
    if rows:
        connection = await transaction_connection(db)
        await run(connection, _INSERT_ALERTS[connection.dialect.name], rows)
    return told
