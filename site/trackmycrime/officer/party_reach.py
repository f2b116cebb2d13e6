"""How each person on a crime can be reached: why they cannot be alerted, what reached them and when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..i18n import date_in_words
from ..i18n import gettext as _
from ..models import AlertChannel, OutboxMessage, OutboxStatus, Party
from ..notify.outbox import AlertKind, channels_for


@dataclass
class PartyReach:
    """From the outbox, for one party: the newest invitation and the last alert sent on each channel."""

    invitation: OutboxMessage | None = None
    last_sent: dict[str, dt.datetime] = field(default_factory=dict)


async def reach_of_parties(db: AsyncSession, party_ids: list[int]) -> dict[int, PartyReach]:
    """Two queries whatever the number of parties and alerts."""
    reach = {party_id: PartyReach() for party_id in party_ids}
    if not party_ids:
        return reach
    sent = await db.exec(
        select(OutboxMessage.party_id, OutboxMessage.channel, func.max(OutboxMessage.sent_at))
        .where(col(OutboxMessage.party_id).in_(party_ids), col(OutboxMessage.status) == OutboxStatus.SENT)
        .group_by(col(OutboxMessage.party_id), col(OutboxMessage.channel))
    )
    for party_id, channel, sent_at in sent.all():
        reach[party_id].last_sent[channel] = sent_at  # type: ignore[index,assignment]
    invitations = await db.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.party_id).in_(party_ids), col(OutboxMessage.kind) == AlertKind.INVITATION)
        .order_by(col(OutboxMessage.id))
    )
    for row in invitations.all():
        reach[row.party_id].invitation = row  # type: ignore[index]  # the newest wins
    return reach


def cannot_alert_reason(party: Party) -> str | None:
    """For officers: why no alert can reach this person, or None when one can."""
    if not party.email and not party.mobile and not party.address:
        return _("Cannot be alerted: no email address, mobile number or postal address is recorded.")
    if not party.contact_consent:
        return _("Cannot be alerted: they did not agree to be contacted.")
    if party.alert_channel == AlertChannel.NONE:
        return _("No alerts: they chose not to get any.")
    if party.opted_out_at is None and party.account_deleted_at is None and not channels_for(party):
        wanted = _("email") if party.alert_channel == AlertChannel.EMAIL else _("text message")
        return _("Cannot be alerted: they chose {channel}, but we do not have the details for it.").format(
            channel=wanted
        )
    return None


def channel_in_words(channel: str) -> str:
    return {"email": _("email"), "sms": _("text message"), "letter": _("letter")}.get(channel, channel)


def alerts_in_words(party: Party) -> str:
    """The "Alerts by" row: the channels alerts really go by, or why none can."""
    if party.opted_out_at is not None:
        return _("Opted out of the portal")
    reason = cannot_alert_reason(party)
    if reason:
        return reason
    channels = channels_for(party)
    words = _("Email and text message") if len(channels) == 2 else _first_upper(channel_in_words(channels[0]))
    if not party.password_hash:
        return _("{channels}, once they register").format(channels=words)
    return words


def invitation_in_words(row: OutboxMessage | None) -> str | None:
    """Where the newest invitation stands; None when none was ever queued."""
    if row is None:
        return None
    channel = channel_in_words(row.channel)
    if row.status == OutboxStatus.SENT and row.sent_at is not None:
        return _("Invited by {channel} on {date}").format(channel=channel, date=date_in_words(row.sent_at))
    if row.status == OutboxStatus.FAILED:
        return _("The invitation by {channel} could not be sent").format(channel=channel)
    if row.status == OutboxStatus.CANCELLED:
        return None
    if row.status == OutboxStatus.HELD:
        return _("An invitation by {channel} is held: it cannot be sent yet").format(channel=channel)
    return _("An invitation by {channel} is waiting to be sent").format(channel=channel)


def reached_in_words(reach: PartyReach) -> str:
    """The "Last reached" row: each channel's last alert that was sent, newest first."""
    if not reach.last_sent:
        return _("Nothing sent yet")
    ordered = sorted(reach.last_sent.items(), key=lambda item: item[1], reverse=True)
    text = "; ".join(
        _("by {channel} on {date}").format(channel=channel_in_words(channel), date=date_in_words(when))
        for channel, when in ordered
    )
    return _first_upper(text)


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]
