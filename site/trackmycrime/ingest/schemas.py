"""The ingest API's request and response bodies: validated here, documented from here in OpenAPI."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ..contact_details import EMAIL_PATTERN, OptionalEmail, OptionalMobile, uk_today
from ..models import DecisionKind, HearingStatus, HearingType, PartyRole, PropertyState
from ..statuses import STATUS_CODES

# Clocks of the records system and of this service may differ a little.
CLOCK_SKEW = dt.timedelta(hours=24)
EARLIEST_DATE = dt.date(1900, 1, 1)
EARLIEST_TIME = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)

# No control characters (NUL cannot be stored in PostgreSQL) and no zero-width or bidirectional
# formatting characters, which could make a name read differently on an officer's screen.
_INVISIBLE = r"\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
_SINGLE_LINE = rf"^[^\x00-\x1f\x7f-\x9f{_INVISIBLE}]*$"
_MULTI_LINE = rf"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_INVISIBLE}]*$"
RMS_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$"
RESERVED_PARTY_IDS = ("all", "victims")


def _line(max_length: int, *, min_length: int = 0) -> object:
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=_SINGLE_LINE
    )


ADDRESS_LINES = 7
UK_POSTCODE = re.compile(r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}")
RmsId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64, pattern=RMS_ID_PATTERN)]
StatusCode = Literal[STATUS_CODES]  # type: ignore[valid-type]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254, pattern=f"^{EMAIL_PATTERN}$")]
Language = Annotated[str, StringConstraints(max_length=8, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$")]


def _date_of_birth_in_the_past(value: dt.date) -> dt.date:
    if value > uk_today():
        raise ValueError("Date of birth must be in the past")
    if value < EARLIEST_DATE:
        raise ValueError("Date of birth must be after 1 January 1900")
    return value


def _plausible_time(value: dt.datetime) -> dt.datetime:
    """In UTC, not before 1900 and not more than a day ahead of our clock."""
    try:
        in_utc = value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError("Time must be between 1900 and now") from None
    if in_utc < EARLIEST_TIME or in_utc > dt.datetime.now(dt.UTC) + CLOCK_SKEW:
        raise ValueError("Time must be between 1900 and now")
    return in_utc


DateOfBirth = Annotated[dt.date, AfterValidator(_date_of_birth_in_the_past)]
PastTime = Annotated[AwareDatetime, AfterValidator(_plausible_time)]


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True)


class OfficerIn(_Body):
    """The officer in charge, matched to an officer of the force by email."""

    email: Email = Field(description="The officer's force email; how the officer is recognised.")
    name: Annotated[str, _line(200, min_length=1)] = Field(description="As victims should read it.")
    shoulder_number: Annotated[str, _line(20)] | None = None


class PartyIn(_Body):
    """A victim or witness; `rms_party_id` identifies them on this crime from one request to the next."""

    rms_party_id: RmsId = Field(description="The records system's id for this person on this crime.")
    role: Literal[PartyRole.ALL]  # type: ignore[valid-type]
    forenames: Annotated[str, _line(100)] = ""
    surname: Annotated[str, _line(100, min_length=1)]
    date_of_birth: DateOfBirth | None = Field(
        default=None, description="Needed to sign in; YYYY-MM-DD, not in the future."
    )
    email: OptionalEmail | None = Field(default=None, description="Where the invitation to register is sent.")
    mobile: OptionalMobile | None = Field(default=None, description="For text alerts, e.g. +447700900123.")
    address: list[Annotated[str, _line(100, min_length=1)]] | None = Field(
        default=None,
        description="Postal address lines, 3 to 7, the last a UK postcode: for people with neither email "
        "nor mobile who agreed to be contacted, the invitation and alerts go by letter.",
    )
    preferred_language: Language = "en"
    enhanced_rights: bool = Field(
        default=False, description="Entitled to enhanced rights under the Victims' Code (faster updates)."
    )
    contact_consent: bool = Field(
        default=False, description="The person agreed to be contacted through TrackMyCrime."
    )
    shares_address_with_suspect: bool = Field(
        default=False,
        description="The person shares an address with a suspect: never invited to the portal or "
        "alerted, since an alert could reach the suspect, unless an officer records a reason to.",
    )

    @field_validator("address")
    @classmethod
    def _address_can_be_posted(cls, value: list[str] | None) -> list[str] | None:
        if not value:
            return None
        if not 3 <= len(value) <= ADDRESS_LINES:
            raise ValueError(f"an address has 3 to {ADDRESS_LINES} lines")
        if not UK_POSTCODE.fullmatch(value[-1]):
            raise ValueError("the last line of the address must be a UK postcode, like SW1A 1AA")
        return value

    @field_validator("rms_party_id")
    @classmethod
    def _id_is_not_an_audience(cls, value: str) -> str:
        if value.lower() in RESERVED_PARTY_IDS:
            raise ValueError(f'"{value}" names an audience of updates, so it cannot be a party id')
        return value


class PropertyItemIn(_Body):
    """An item stolen, lost or damaged; `rms_item_id` identifies it on this crime from request to request."""

    rms_item_id: RmsId = Field(description="The records system's id for this item on this crime.")
    description: Annotated[str, _line(500, min_length=1)] = Field(
        description='As the victim would recognise it, e.g. "Grey Raleigh bicycle".'
    )
    category: Annotated[str, _line(100)] = Field(default="", description='e.g. "Cycles", "Jewellery".')
    state: Literal[PropertyState.ALL] = Field(  # type: ignore[valid-type]
        description="What is known now: a change is told to the victim like an update."
    )
    value_pence: Annotated[int, Field(ge=0, le=100_000_000_00)] | None = Field(
        default=None, description="Its value in pence, e.g. 24999 for £249.99; omit when not known."
    )
    owner_rms_party_id: RmsId | None = Field(
        default=None,
        description="The victim it belongs to (their rms_party_id); omit when it is all the victims'.",
    )


class CrimeIn(_Body):
    """A crime as the records system holds it now; parties and property items not listed are kept."""

    offence: Annotated[str, _line(200, min_length=1)]
    offence_code: Annotated[str, _line(40)] = ""
    status: StatusCode
    reported_at: PastTime
    officer_in_charge: OfficerIn | None = Field(default=None, description="Omit or null when none yet.")
    parties: list[PartyIn] = Field(default_factory=list, max_length=50)
    property: list[PropertyItemIn] | None = Field(
        default=None, max_length=200, description="Omit to leave the recorded property as it is."
    )

    @field_validator("property")
    @classmethod
    def _item_ids_are_unique(cls, items: list[PropertyItemIn] | None) -> list[PropertyItemIn] | None:
        seen: set[str] = set()
        for item in items or []:
            if item.rms_item_id in seen:
                raise ValueError(f'The rms_item_id "{item.rms_item_id}" is given to two items')
            seen.add(item.rms_item_id)
        return items

    @field_validator("parties")
    @classmethod
    def _party_ids_are_unique(cls, parties: list[PartyIn]) -> list[PartyIn]:
        seen: set[str] = set()
        for party in parties:
            if party.rms_party_id in seen:
                raise ValueError(f'The rms_party_id "{party.rms_party_id}" is given to two parties')
            seen.add(party.rms_party_id)
        return parties


class UpdateIn(_Body):
    """An update for the parties: a status, a text written for them, or both."""

    rms_update_id: RmsId = Field(description="The records system's id: sending it again changes nothing.")
    status: StatusCode | None = Field(default=None, description="Also becomes the crime's status.")
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000, pattern=_MULTI_LINE)] = (
        Field(default="", description="Plain text the parties read; no markup.")
    )
    occurred_at: PastTime | None = Field(default=None, description="When it happened; now if omitted.")
    audience: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=64, pattern=RMS_ID_PATTERN)
    ] = Field(default="all", description='"all", "victims", or the rms_party_id of one party.')

    @model_validator(mode="after")
    def _says_something(self) -> UpdateIn:
        if self.status is None and not self.text:
            raise ValueError("Give a status, a text, or both")
        return self


def _hearing_time(value: dt.datetime) -> dt.datetime:
    """In UTC; from 1900 to ten years ahead (hearings are listed ahead, unlike what already happened)."""
    try:
        in_utc = value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError("Time must be between 1900 and ten years from now") from None
    if in_utc < EARLIEST_TIME or in_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=3653):
        raise ValueError("Time must be between 1900 and ten years from now")
    return in_utc


HearingTime = Annotated[AwareDatetime, AfterValidator(_hearing_time)]


class HearingIn(_Body):
    """A court hearing as the police records system or the Witness Care Unit holds it now."""

    court_name: Annotated[str, _line(200, min_length=1)] = Field(description='e.g. "Oxford Crown Court".')
    court_address: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=500, pattern=_MULTI_LINE)
    ] = Field(default="", description="The court's postal address; one line or several.")
    starts_at: HearingTime = Field(description="ISO 8601 with an offset, e.g. 2027-01-12T10:00:00+00:00.")
    hearing_type: Literal[HearingType.ALL] = Field(  # type: ignore[valid-type]
        description="first_appearance, plea, trial, sentencing, appeal or other."
    )
    status: Literal[HearingStatus.ALL] = Field(  # type: ignore[valid-type]
        description="listed; moved (a new date or place); vacated (will not go ahead); concluded."
    )
    outcome: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=5000, pattern=_MULTI_LINE)
    ] = Field(default="", description="The result, in plain words the parties read; with status concluded.")
    parties_required: list[RmsId] = Field(
        default_factory=list,
        max_length=50,
        description="The rms_party_id of each person who must attend, e.g. to give evidence.",
    )

    @field_validator("parties_required")
    @classmethod
    def _listed_once(cls, ids: list[str]) -> list[str]:
        if len(set(ids)) != len(ids):
            raise ValueError("An rms_party_id is listed twice")
        return ids


class DecisionIn(_Body):
    """A charging decision by the police or the CPS, with the reason the parties are given."""

    decision: Literal[DecisionKind.ALL] = Field(  # type: ignore[valid-type]
        description="charged, no_further_action or out_of_court_resolution."
    )
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000, pattern=_MULTI_LINE)] = (
        Field(default="", description="Why, in plain words the victim reads, as the decision maker gave it.")
    )
    decided_at: PastTime = Field(
        description="When it was decided; a review may be asked for within 3 months."
    )


# ---------------------------------------------------------------- responses


class _Response(BaseModel):
    # Undocumented fields in a response then fail the schema check in the tests.
    model_config = ConfigDict(extra="forbid")


class OfficerOut(_Response):
    email: str
    name: str
    shoulder_number: str | None


class PartyOut(_Response):
    rms_party_id: str
    role: str
    forenames: str
    surname: str
    date_of_birth: dt.date | None
    email: str | None
    mobile: str | None
    address: list[str] | None
    preferred_language: str
    enhanced_rights: bool
    contact_consent: bool
    invited_at: dt.datetime | None = Field(description="When an invitation to register was queued.")
    registered: bool = Field(description="Whether the person has registered for the portal.")


class PropertyItemOut(_Response):
    rms_item_id: str
    description: str
    category: str
    state: str
    value_pence: int | None
    owner_rms_party_id: str | None
    state_changed_at: dt.datetime = Field(description="When the state last changed, here or in the portal.")


class CrimeOut(_Response):
    reference: str
    offence: str
    offence_code: str
    status: StatusCode
    status_label: str = Field(description="The status as parties read it.")
    reported_at: dt.datetime
    closed_at: dt.datetime | None
    officer_in_charge: OfficerOut | None
    parties: list[PartyOut]
    property: list[PropertyItemOut]


class UpdateOut(_Response):
    rms_update_id: str | None
    status: StatusCode | None
    text: str
    audience: str
    occurred_at: dt.datetime
    created_at: dt.datetime


class HearingOut(_Response):
    rms_hearing_id: str
    court_name: str
    court_address: str
    starts_at: dt.datetime
    hearing_type: str
    status: str
    outcome: str
    parties_required: list[str]
    agency: str = Field(description="Whose key last sent it: police, witness_care_unit or cps.")
    updated_at: dt.datetime


class DecisionOut(_Response):
    rms_decision_id: str
    decision: str
    reason: str
    decided_at: dt.datetime
    agency: str = Field(description="Whose key sent it: police, witness_care_unit or cps.")


class InvalidField(_Response):
    detail: str = Field(description="What is wrong, in plain English.")
    pointer: str | None = Field(
        default=None, description='A JSON Pointer into the request body, e.g. "#/parties/0/surname".'
    )
    parameter: str | None = Field(default=None, description="The path parameter, when it is the culprit.")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[InvalidField] | None = Field(default=None, description="Each invalid field, when any.")
