"""A message from a party to the officers of their crime: checked, limited per hour, stored and audited."""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request

from ..auth import throttle
from ..auth.sessions import client_address
from ..case_events.messages import record_party_message
from ..i18n import gettext as _
from ..models import Crime, Message, Party
from . import forms

MESSAGES_PER_HOUR = 20
MESSAGE_WINDOW = dt.timedelta(hours=1)


async def store_message(
    request: Request,
    db: AsyncSession,
    form: forms.Form,
    field: str,
    body: str,
    *,
    property_item_id: int | None = None,
) -> Message | None:
    """Store the message unless the form has errors or the party has sent too many this hour."""
    party: Party = request.state.party
    crime: Crime = request.state.crime
    helper: Party | None = getattr(request.state, "helper", None)
    key = f"victim-message:party:{(helper or party).id}"
    # Counted before storing, in the caller's transaction: the count's row stays locked until the
    # message is stored, so simultaneous messages each get their own number and at most the limit
    # are kept. A refused message is counted too; it is rolled back with nothing else to keep.
    if form.is_valid and await throttle.hit(db, key, window=MESSAGE_WINDOW) > MESSAGES_PER_HOUR:
        form.error(
            field,
            _(
                "You have sent lots of messages in the last hour. Try again later, or call 101. If you need "
                "help fast, call 999"
            ),
        )
    if not form.is_valid:
        return None
    return await record_party_message(
        db,
        party,
        crime,
        body,
        property_item_id=property_item_id,
        client_address=client_address(request),
        helper=helper,
    )


def message_text(form: forms.Form, submitted: FormData, field: str) -> str:
    """The message as typed, with the errors every message form gives."""
    return forms.required_text(
        form,
        submitted,
        field,
        missing=_("Enter your message"),
        max_length=forms.MESSAGE_MAX,
        too_long=_("Your message is too long: use up to {n} characters").format(n=f"{forms.MESSAGE_MAX:,}"),
        multiline=True,
    )
